"""Adapters from the agent to the other areas (tools registry, retrieval) behind small protocols."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from core.domain import ActionKind

# The read tools of docs/architecture.md, used when tools.registry is not importable.
CONTRACT_READ_TOOL_NAMES: tuple[str, ...] = (
    "get_payment",
    "search_payments",
    "get_tracker",
    "get_screening",
    "get_account",
    "verify_payee",
    "find_duplicates",
    "get_cases",
    "get_calendar",
    "get_fx_rate",
    "compute_compensation",
    "get_risk_signals",
)


class ToolFailure(Exception):
    """A read or write call failed with a typed, user-facing reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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

    def __init__(self, systems: Any) -> None:
        from tools import registry

        self._registry = registry
        self.systems = systems
        self.read_tool_names = tuple(registry.READ_TOOL_NAMES)

    @classmethod
    def from_settings(cls, settings: Any) -> RegistryPort:
        from tools.registry import PaymentSystems

        return cls(PaymentSystems.from_settings(settings))

    async def read(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        from tools.errors import ToolError

        try:
            return await self._registry.call_read_tool(self.systems, name, args)
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    def validate_args(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        model = self._registry.ACTION_ARG_MODELS[kind]
        return model.model_validate(args).model_dump(mode="json", exclude_none=True)

    async def draft(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        from tools.errors import ToolError

        try:
            return await self._registry.draft_action(self.systems, kind, args)
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    async def execute(
        self, kind: ActionKind, args: dict[str, Any], *, idempotency_key: str, approval_ref: str
    ) -> dict[str, Any]:
        from tools.errors import ToolError

        try:
            return await self._registry.execute_action(
                self.systems, kind, args, idempotency_key=idempotency_key, approval_ref=approval_ref
            )
        except ToolError as exc:
            raise _tool_failure(exc) from exc

    async def aclose(self) -> None:
        await self.systems.aclose()


def as_payment_port(systems: Any) -> PaymentPort:
    """Accept either a PaymentPort (tests, evals) or a tools.registry.PaymentSystems."""
    if isinstance(systems, PaymentPort):
        return systems
    return RegistryPort(systems)


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
