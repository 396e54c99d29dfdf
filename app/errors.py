"""Typed API errors rendered as ``{"error": {"code", "message"}}`` JSON, never a stack trace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    DATABASE_DOWN,
    ApiError,
    DatabaseUnavailable,
    as_api_error,
    database_down,
    error_body,
)

DATABASE_RETRY_AFTER_S = 5

__all__ = ["ApiError", "as_api_error", "error_response", "install_error_handlers", "raise_mapped"]


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The one JSON error shape of the API."""
    return JSONResponse(error_body(code, message), status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on an app."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes: dict[int, str] = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    async def _database(_request: Request, exc: Exception) -> JSONResponse:
        if not database_down(exc):
            raise exc  # another database error: the 500 handler below logs it
        return _unavailable(exc)

    # Handled here, inside the middleware stack (the Exception handler runs outside it and re-raises).
    for db_error in _database_errors():
        app.add_exception_handler(db_error, _database)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        mapped = as_api_error(exc)
        if mapped is not None and 400 <= mapped.status < 500:
            return error_response(mapped.status, mapped.code, mapped.message)
        if mapped is not None and mapped.code == DatabaseUnavailable.code:
            return _unavailable(exc)
        import structlog

        structlog.get_logger("payinvest.app").exception("unhandled_error", error=type(exc).__name__)
        return error_response(500, "internal_error", "Unexpected server error; it was logged.")


def _unavailable(exc: BaseException) -> JSONResponse:
    """503 ``database_unavailable`` with a ``Retry-After``: the database is restarting, not a bug."""
    import structlog

    structlog.get_logger("payinvest.app").warning("database_unavailable", error=type(exc).__name__)
    response = error_response(503, DatabaseUnavailable.code, DATABASE_DOWN)
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


def _database_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy import exc as sa_exc

    errors: list[type[Exception]] = [sa_exc.DBAPIError, sa_exc.TimeoutError]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:
        pass
    return tuple(errors)


def raise_mapped(exc: Exception) -> Any:
    """Re-raise another area's typed error as an ApiError (or the original when it is not typed)."""
    mapped = as_api_error(exc)
    if mapped is None:
        raise exc
    raise mapped from exc
