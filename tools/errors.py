"""Typed errors of the payment tools, one class per API error code, all under ``ToolError``.

The payments API answers errors as ``{"error": {"code": ..., "message": ...}}``; clients turn that into
the class registered for the code here, so callers (the agent, the evals) catch meaning, not HTTP.
"""

from __future__ import annotations

from typing import Any

from core.errors import PayinvestError


class ToolError(PayinvestError):
    """Base of every error a payment tool can raise; ``code`` is the API's error code.

    ``status`` is the payments API's HTTP status (None when the call never reached it); ``http_status``
    (inherited, 400) is what the web app answers when a tool error reaches it.
    """

    code = "tool_error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form the agent records as evidence."""
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


class InvalidInput(ToolError):
    """The arguments were malformed (validation failed); nothing was changed."""

    code = "validation_error"


class InvalidReference(InvalidInput):
    """A payment reference that is neither a UETR, an EndToEndId nor a ``PAY-`` id."""

    code = "invalid_reference"


class NotFound(ToolError):
    """The thing looked up does not exist."""

    code = "not_found"


class PaymentNotFound(NotFound):
    """No payment has that reference."""

    code = "payment_not_found"


class AccountNotFound(NotFound):
    """No account has that IBAN or account number."""

    code = "account_not_found"


class CaseNotFound(NotFound):
    """No case has that id."""

    code = "case_not_found"


class ActionNotFound(NotFound):
    """No action has that id."""

    code = "action_not_found"


class FxRateNotFound(NotFound):
    """No FX rate for that pair on or before the date."""

    code = "fx_rate_not_found"


class Unauthorized(ToolError):
    """The API token was missing or wrong."""

    code = "unauthorized"


class ApprovalRequired(ToolError):
    """A write was sent without its approval reference or idempotency key."""

    code = "approval_required"


class ApprovalRefused(ToolError):
    """The approval reference was not signed by the approval service, or was for another write, old or reused.

    ``.code`` says which: ``approval_invalid``, ``approval_mismatch``, ``approval_expired``, ``approval_replayed``.
    """

    code = "approval_refused"


class IdempotencyConflict(ToolError):
    """The idempotency key was already used with different arguments."""

    code = "idempotency_conflict"


class BusinessRuleViolation(ToolError):
    """The request is well formed but the payment's state forbids it (e.g. recall of a rejected payment)."""

    code = "business_rule_violation"


class UpstreamUnavailable(ToolError):
    """The payments API could not be reached or failed (5xx, timeout)."""

    code = "upstream_unavailable"


class PaymentsApiNotConfigured(UpstreamUnavailable):
    """No payments API URL is set and the process did not hand in an in-process one."""

    code = "payments_api_not_configured"


class UnknownTool(ToolError):
    """A tool name the registry does not know."""

    code = "unknown_tool"


_BY_CODE: dict[str, type[ToolError]] = {
    cls.code: cls
    for cls in (
        InvalidInput,
        InvalidReference,
        PaymentNotFound,
        AccountNotFound,
        CaseNotFound,
        ActionNotFound,
        FxRateNotFound,
        Unauthorized,
        ApprovalRequired,
        IdempotencyConflict,
        UnknownTool,
    )
}


def error_from_response(status: int, body: Any) -> ToolError:
    """Build the typed error for an API error response (status code + JSON body)."""
    err = body.get("error") if isinstance(body, dict) else None
    code = str(err.get("code")) if isinstance(err, dict) and err.get("code") else f"http_{status}"
    message = str(err.get("message")) if isinstance(err, dict) and err.get("message") else f"HTTP {status}"
    cls = _BY_CODE.get(code)
    if cls is None and code.startswith("approval_"):
        cls = ApprovalRefused
    if cls is None:
        if status >= 500:
            cls = UpstreamUnavailable
        elif status == 404:
            cls = NotFound
        elif status == 409:
            cls = BusinessRuleViolation
        elif status in (400, 422):
            cls = InvalidInput
        else:
            cls = ToolError
    return cls(message, code=code, status=status)
