"""The one error tree: every typed error of payinvest derives from :class:`PayinvestError`.

An error carries a stable machine-readable ``code``, a one-line ``message`` for the user and the
``http_status`` it becomes at an HTTP boundary. Areas subclass it (``tools.errors.ToolError``,
``agent.errors.AgentError``, ``retrieval.errors.RetrievalError``, ``core.users.UserError``); the web app and
the payments API convert it once, in their exception handlers, to ``{"error": {"code", "message"}}``.
Wrap a lower error with ``raise NewError(...) from exc`` so the cause stays in the logs.
"""

from __future__ import annotations

from typing import Any


class PayinvestError(Exception):
    """Base of every typed error: a stable ``code``, a user-facing ``message`` and its ``http_status``."""

    code: str = "error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    def to_dict(self) -> dict[str, str]:
        """``{"code", "message"}``: the body of an API error and of a CLI ``--json`` failure."""
        return {"code": self.code, "message": self.message}


class ApiError(PayinvestError):
    """An error raised at an HTTP boundary with its status (the web app's and the payments API's)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code, http_status=status)

    @property
    def status(self) -> int:
        """The HTTP status of the response."""
        return self.http_status


class DatabaseUnavailable(PayinvestError):
    """The application database cannot be reached (restarting, failing over); the request can be retried."""

    code = "database_unavailable"
    http_status = 503


DATABASE_DOWN = "the database is not reachable at the moment; try again in a few seconds"


def database_down(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a lost or refused database connection."""
    from sqlalchemy import exc as sa_exc

    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        psycopg = None  # type: ignore[assignment]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.TimeoutError):  # the pool had no connection to give
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if psycopg is not None and isinstance(current, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        current = current.__cause__ or current.__context__
    return False


def error_body(code: str, message: str) -> dict[str, Any]:
    """The one JSON error shape of both APIs."""
    return {"error": {"code": code, "message": message}}


def as_api_error(exc: BaseException) -> ApiError | None:
    """The ApiError a typed error becomes at an HTTP boundary; None for an untyped (unexpected) one."""
    if isinstance(exc, ApiError):
        return exc
    if not isinstance(exc, DatabaseUnavailable) and database_down(exc):  # also a failed turn caused by it
        return ApiError(DatabaseUnavailable.http_status, DatabaseUnavailable.code, DATABASE_DOWN)
    if isinstance(exc, PayinvestError):
        return ApiError(exc.http_status, exc.code, exc.message)
    return None
