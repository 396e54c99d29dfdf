"""Shared pieces of the payments API routes: the typed error, the engine dependency and the auth check."""

from __future__ import annotations

import hmac
import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import Engine

from tools.domain import E2E_ID_PATTERN, PAYMENT_ID_PATTERN, UETR_PATTERN

_UETR_RE = re.compile(rf"^{UETR_PATTERN}$", re.IGNORECASE)
_PAY_RE = re.compile(rf"^{PAYMENT_ID_PATTERN}$", re.IGNORECASE)
_E2E_RE = re.compile(rf"^{E2E_ID_PATTERN}$", re.IGNORECASE)


class ApiError(Exception):
    """An error the API answers as ``{"error": {"code", "message"}}`` with a 4xx status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_body(code: str, message: str) -> dict[str, Any]:
    """The one JSON error shape of the API."""
    return {"error": {"code": code, "message": message}}


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


def get_engine(request: Request) -> Engine:
    """The payments database engine of this app."""
    return request.app.state.engine


def check_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Refuse the call when the app has a bearer token and the request does not carry it."""
    expected = request.app.state.token
    if not expected:
        return
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or invalid bearer token")


EngineDep = Annotated[Engine, Depends(get_engine)]
