"""The payments API (sandbox): ``create_app(settings)`` -> FastAPI with /v1 reads and approved writes."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from core.settings import Settings
from sandbox import actions_schema  # noqa: F401  (registers the actions table on the metadata)
from sandbox.routes_common import ApiError, BearerTokenMiddleware, error_body

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"


@dataclass(frozen=True)
class SandboxConfig:
    """Parameters of the sandbox that are not in ``Settings`` (env ``PAYINVEST_COMPENSATION_RATE``)."""

    compensation_rate: Decimal = Decimal("0.03")

    @classmethod
    def from_env(cls) -> SandboxConfig:
        """Read overrides from the environment; a malformed value falls back to the default."""
        raw = os.environ.get("PAYINVEST_COMPENSATION_RATE")
        try:
            return cls(compensation_rate=Decimal(raw)) if raw else cls()
        except InvalidOperation:
            log.warning("ignoring malformed PAYINVEST_COMPENSATION_RATE=%r", raw)
            return cls()


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        parts.append(f"{'.'.join(loc) or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("validation_error", _validation_message(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 413: "too_large"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(OverflowError)
    async def _overflow(_request: Request, _exc: OverflowError) -> JSONResponse:
        return JSONResponse(
            error_body("out_of_range", "a value is out of the supported range"), status_code=400
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in the payments API")
        return JSONResponse(error_body("internal_error", "unexpected server error"), status_code=500)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    config: SandboxConfig | None = None,
    audit: Any | None = None,
) -> FastAPI:
    """Build the payments API over ``engine`` (default: the sandbox database of ``settings``).

    Every request but ``/healthz`` needs the bearer token (``payments_api_token``, else generated into the
    data dir), only the hosts it serves are answered, and writes pass the approval gate; ``audit`` is the
    ``core.audit.AuditLog`` (default: the application database's).
    """
    from core.approval_tokens import payments_api_token, signer_from_settings
    from core.audit_anchor import open_audit_log
    from sandbox.api_security import ApprovalGate, served_hosts
    from sandbox.fast_lookup import PaymentLookup
    from sandbox.routes_accounts import router as accounts_router
    from sandbox.routes_actions import router as actions_router
    from sandbox.routes_calendar import router as calendar_router
    from sandbox.routes_cases import router as cases_router
    from sandbox.routes_payments import router as payments_router
    from sandbox.schema import get_payments_engine, upgrade_payments_db

    settings = settings or Settings()
    if engine is None:
        engine = get_payments_engine(settings.payments_db_url)
    upgrade_payments_db(engine)  # once per process: tables come from sandbox/migrations
    app = FastAPI(
        title="payinvest payments API (sandbox)",
        version=API_VERSION,
        description="Payments hub, gpi tracker, screening, accounts/VoP, cases, calendar/FX and approved "
        'ISO 20022 actions. Errors are {"error": {"code", "message"}}.',
    )
    app.state.engine = engine
    app.state.lookup = PaymentLookup(engine)
    app.state.config = config or SandboxConfig.from_env()
    if audit is None:
        audit = open_audit_log(settings)
    app.state.approval_gate = ApprovalGate(engine, signer_from_settings(settings), audit)
    _install_error_handlers(app)
    for router in (payments_router, cases_router, accounts_router, calendar_router, actions_router):
        app.include_router(router)
    # Added last so it runs first: an unknown Host is refused before the token is even looked at.
    app.add_middleware(BearerTokenMiddleware, token=payments_api_token(settings), audit=audit)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=served_hosts(settings))

    @app.get("/healthz", tags=["meta"], summary="Liveness")
    def healthz() -> dict[str, str]:
        """Always ``ok`` while the process serves requests."""
        return {"status": "ok", "version": API_VERSION}

    return app


def in_process_app(settings: Settings) -> FastAPI:
    """The sandbox as the in-process payments API of a CLI command or an eval run; refuses an empty database."""
    from sandbox.generator import read_seed_info
    from sandbox.schema import open_payments_db
    from tools.errors import PaymentsApiNotConfigured

    engine = open_payments_db(settings.payments_db_url)
    if read_seed_info(engine) is None:
        raise PaymentsApiNotConfigured("the payments sandbox has no data: run `payinvest seed`")
    return create_app(settings, engine=engine)
