"""Adapters from the agent to the other areas (tools registry, retrieval) behind small protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

import httpx

from core.domain import ActionKind
from core.identity import Principal
from core.settings import Settings
from tools import registry
from tools.errors import ToolError
from tools.in_process import in_process_transport
from tools.registry import PaymentSystems


class ToolFailure(Exception):
    """A read or write call failed with a typed, user-facing reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@runtime_checkable
class AgentServiceProtocol(Protocol):
    """What the web app needs from the agent: ``agent.service.AgentService`` and the tests' fake satisfy it."""

    def stream(self, message: str, *, thread_id: str, user: str) -> AsyncIterator[dict[str, Any]]: ...

    async def submit(self, thread_id: str, *, user: str) -> Any: ...

    async def decide(self, thread_id: str, decisions: list[Any], approver: Principal) -> Any: ...

    def pending_approvals(self) -> list[dict[str, Any]]: ...

    def conversations(self, user: str | None = None) -> list[dict[str, Any]]: ...

    def thread(self, thread_id: str) -> dict[str, Any]: ...

    async def evidence(self, thread_id: str) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class PaymentPort(Protocol):
    """What the agent needs from the payment systems."""

    read_tool_names: tuple[str, ...]

    async def read(self, name: str, args: dict[str, Any]) -> dict[str, Any]: ...

    def validate_args(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]: ...

    async def draft(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]: ...

    async def execute(
        self, kind: ActionKind, args: dict[str, Any], *, idempotency_key: str, approval_ref: str
    ) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


def _tool_failure(exc: Exception) -> ToolFailure:
    code = getattr(exc, "code", None) or type(exc).__name__
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return ToolFailure(str(code), str(message))


class RegistryPort:
    """PaymentPort over ``tools.registry`` (docs/architecture.md tools contract)."""

    def __init__(self, systems: PaymentSystems) -> None:
        self.systems = systems
        self.read_tool_names = registry.READ_TOOL_NAMES

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> RegistryPort:
        """The configured payments API, else ``transport``, else the in-process API an installed package offers."""
        if transport is None and not settings.payments_api_url:
            transport = in_process_transport(settings)
        return cls(PaymentSystems.from_settings(settings, transport=transport))

    async def read(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return await registry.call_read_tool(self.systems, name, args)
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    def validate_args(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        model = registry.ACTION_ARG_MODELS[kind]
        return model.model_validate(args).model_dump(mode="json", exclude_none=True)

    async def draft(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return await registry.draft_action(self.systems, kind, args)
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    async def execute(
        self, kind: ActionKind, args: dict[str, Any], *, idempotency_key: str, approval_ref: str
    ) -> dict[str, Any]:
        try:
            return await registry.execute_action(
                self.systems, kind, args, idempotency_key=idempotency_key, approval_ref=approval_ref
            )
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    async def aclose(self) -> None:
        await self.systems.aclose()


def as_payment_port(systems: PaymentPort | PaymentSystems) -> PaymentPort:
    """Accept either a PaymentPort (tests, evals) or a tools.registry.PaymentSystems."""
    if isinstance(systems, PaymentSystems):
        return RegistryPort(systems)
    return systems


def hit_to_dict(hit: Any) -> dict[str, Any]:
    """A retrieval Hit (object or dict) as the compact dict kept in the state."""
    get = hit.get if isinstance(hit, dict) else lambda key, default=None: getattr(hit, key, default)
    return {
        "chunk_id": get("chunk_id"),
        "citation": get("citation"),
        "sop_id": get("sop_id"),
        "section": get("section"),
        "section_title": get("section_title"),
        "title": get("title"),
        "version": get("version"),
        "score": get("score"),
        "text": get("text") or "",
    }
