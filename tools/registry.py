"""The one door from the agent to the payment systems: read tools by name, drafts and approved writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from opentelemetry.instrumentation.httpx import AsyncOpenTelemetryTransport
from pydantic import BaseModel, ValidationError

from core.domain import ActionKind
from tools.accounts_client import AccountsClient
from tools.actions_client import ActionsClient
from tools.calendar_client import CalendarClient
from tools.cases_client import CasesClient
from tools.errors import InvalidInput, PaymentsApiNotConfigured, UnknownTool
from tools.models import ACTION_ARG_MODELS, IN_PROCESS_BASE_URL
from tools.payments_client import PaymentsClient
from tools.read_args import READ_TOOL_NAMES, READ_TOOL_SPECS
from tools.screening_client import ScreeningClient
from tools.tracker_client import TrackerClient

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = [
    "ACTION_ARG_MODELS",
    "READ_TOOL_NAMES",
    "PaymentSystems",
    "call_read_tool",
    "draft_action",
    "execute_action",
]


@dataclass
class PaymentSystems:
    """The typed clients of every payment system, sharing one HTTP connection pool."""

    payments: PaymentsClient
    tracker: TrackerClient
    screening: ScreeningClient
    accounts: AccountsClient
    cases: CasesClient
    calendar: CalendarClient
    actions: ActionsClient
    http: httpx.AsyncClient

    @classmethod
    def from_http(cls, http: httpx.AsyncClient) -> PaymentSystems:
        """Clients over an existing ``httpx.AsyncClient`` (base URL and auth already set)."""
        kw: dict[str, Any] = {"client": http}
        return cls(
            payments=PaymentsClient("", **kw),
            tracker=TrackerClient("", **kw),
            screening=ScreeningClient("", **kw),
            accounts=AccountsClient("", **kw),
            cases=CasesClient("", **kw),
            calendar=CalendarClient("", **kw),
            actions=ActionsClient("", **kw),
            http=http,
        )

    @classmethod
    def connect(
        cls, base_url: str, *, token: str | None = None, transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> PaymentSystems:  # fmt: skip
        """Clients of the payments API at ``base_url`` (tests pass an ``httpx.ASGITransport``)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # OpenTelemetry's httpx transport: a client span per request, child of the running node's span, and
        # the W3C ``traceparent`` header so the payments API continues the turn's trace.
        traced = AsyncOpenTelemetryTransport(transport or httpx.AsyncHTTPTransport())
        http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, transport=traced, timeout=timeout
        )
        return cls.from_http(http)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> PaymentSystems:
        """The bank's API at ``settings.payments_api_url``, else the in-process API behind ``transport``.

        The process that wires the app decides what runs in process (``app/server.py`` hands in an
        ``httpx.ASGITransport`` over the payments sandbox it mounts); tools never build a server.
        """
        from core.approval_tokens import payments_api_token

        token = payments_api_token(settings)  # held by the app only, never sent to a browser
        if settings.payments_api_url:
            return cls.connect(settings.payments_api_url, token=token)
        if transport is None:
            raise PaymentsApiNotConfigured(
                "no payments API: set PAYINVEST_PAYMENTS_API_URL or run the payments sandbox in process"
            )
        return cls.connect(IN_PROCESS_BASE_URL, token=token, transport=transport)

    async def aclose(self) -> None:
        """Close the shared connection pool."""
        await self.http.aclose()


def _validate(model: type[BaseModel], args: Any, what: str) -> BaseModel:
    if not isinstance(args, dict):
        raise InvalidInput(f"{what}: arguments must be an object")
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidInput(f"{what}: {details}") from exc


async def call_read_tool(systems: PaymentSystems, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run read tool ``name`` with ``args``; a JSON-safe dict, or a ``tools.errors.ToolError`` subclass."""
    spec = READ_TOOL_SPECS.get(name)
    if spec is None:
        raise UnknownTool(f"unknown read tool {str(name)[:60]!r}; known: {', '.join(READ_TOOL_NAMES)}")
    parsed = _validate(spec.args, args, name)
    result = await spec.call(systems, parsed)
    return result.model_dump(mode="json")


def _action_args(kind: ActionKind | str, args: dict[str, Any]) -> tuple[ActionKind, dict[str, Any]]:
    try:
        kind = ActionKind(kind)
    except ValueError as exc:
        raise InvalidInput(f"unknown action kind {str(kind)[:40]!r}") from exc
    parsed = _validate(ACTION_ARG_MODELS[kind], args, kind.value)
    return kind, parsed.model_dump(mode="json", exclude_none=True)


async def execute_action(
    systems: PaymentSystems,
    kind: ActionKind,
    args: dict[str, Any],
    *,
    idempotency_key: str,
    approval_ref: str,
) -> dict[str, Any]:
    """Execute an approved action exactly once (the key makes a retry a replay)."""
    kind, clean = _action_args(kind, args)
    result = await systems.actions.execute(
        kind, clean, idempotency_key=idempotency_key, approval_ref=approval_ref
    )
    return result.model_dump(mode="json")


async def draft_action(systems: PaymentSystems, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
    """Validate an action and return ``{"message_type", "xml", "xsd_validated", ...}``; changes nothing."""
    kind, clean = _action_args(kind, args)
    return (await systems.actions.draft(kind, clean)).model_dump(mode="json")
