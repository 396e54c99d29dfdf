"""Shared pieces of the payments API routes: the typed error, the engine dependency and the auth check."""

from __future__ import annotations

import hmac
import json
import logging
import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from core.domain import E2E_ID_PATTERN, PAYMENT_ID_PATTERN, UETR_PATTERN
from core.errors import ApiError, error_body

__all__ = ["ApiError", "error_body"]  # the routes import both from here

try:
    import orjson as _orjson
except ImportError:  # optional speed-up
    _orjson = None  # type: ignore[assignment]

_UETR_RE = re.compile(rf"^{UETR_PATTERN}$", re.IGNORECASE)
_PAY_RE = re.compile(rf"^{PAYMENT_ID_PATTERN}$", re.IGNORECASE)
_E2E_RE = re.compile(rf"^{E2E_ID_PATTERN}$", re.IGNORECASE)


def parse_reference(reference: str) -> tuple[str, str]:
    """Classify a payment reference as ``(column, normalised value)`` or raise 400 ``invalid_reference``."""
    ref = reference.strip()
    if _UETR_RE.match(ref):
        return "uetr", ref.lower()
    if _PAY_RE.match(ref):
        return "id", ref.upper()
    if _E2E_RE.match(ref):
        return "end_to_end_id", ref.upper()
    shown = ref[:40] + ("..." if len(ref) > 40 else "")
    raise ApiError(
        400,
        "invalid_reference",
        f"'{shown}' is not a payment reference: expected a UETR (UUID v4), PAY-00000000 or E2E-...",
    )


MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(2199, 12, 31)


def check_dates(**values: date | datetime | None) -> None:
    """400 ``date_out_of_range`` for dates outside 1970-01-01..2199-12-31 (the calendar's useful range)."""
    for name, value in values.items():
        day = value.date() if isinstance(value, datetime) else value
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise ApiError(400, "date_out_of_range", f"{name} must be between {MIN_DATE} and {MAX_DATE}")


def dumps(data: Any) -> bytes:
    """JSON bytes (orjson when installed, else the standard library)."""
    if _orjson is not None:
        return _orjson.dumps(data)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def get_engine(request: Request) -> Engine:
    """The payments database engine of this app."""
    return request.app.state.engine


class BearerTokenMiddleware:
    """Pure ASGI middleware: every request but ``/healthz`` must carry ``Authorization: Bearer <token>``.

    A refused write attempt (``POST``) is an audit event when ``audit`` (a ``core.audit.AuditLog``) is given.
    """

    def __init__(self, app: ASGIApp, token: str, audit: Any | None = None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.audit = audit

    def _audit_refusal(self, scope: Scope, route_path: str) -> None:
        if self.audit is None or scope.get("method") != "POST":
            return
        try:
            self.audit.append(
                "payments_api.unauthorized",
                actor="unauthenticated",
                payload={"method": "POST", "path": route_path[:200], "code": "unauthorized"},
            )
        except Exception:  # the refusal stands even when it cannot be recorded
            logging.getLogger(__name__).exception("could not audit an unauthorised request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Mounted under a prefix (e.g. /payments-api) the path still carries it: strip root_path.
            path, root = scope["path"], scope.get("root_path", "")
            route_path = path[len(root) :] if root and path.startswith(root) else path
            given = dict(scope["headers"]).get(b"authorization", b"")
            if route_path != "/healthz" and not hmac.compare_digest(given.strip(), self.expected):
                self._audit_refusal(scope, route_path)
                body = dumps(error_body("unauthorized", "missing or invalid bearer token"))
                headers = [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]
                await send({"type": "http.response.start", "status": 401, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


EngineDep = Annotated[Engine, Depends(get_engine)]
