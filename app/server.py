"""The FastAPI application: JSON API, web UI, the mounted payments sandbox and the agent service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from agent.instrumentation import instrument_langchain
from agent.ports import AgentServiceProtocol
from app import health, metrics
from app.auth import SessionStore
from app.errors import install_error_handlers
from app.limits import BodySizeLimitMiddleware
from app.metrics import app_registry, parse_bind, start_metrics_listener
from app.observability import RequestObservabilityMiddleware
from app.rate_limits import install_rate_limit_handler
from app.routes import (
    admin,
    approvals,
    auth,
    compliance,
    conversations,
    operations,
    proposals,
    reference,
)
from app.schemas import HealthOut
from app.turns import turns_of
from core.audit import AuditLog
from core.audit_anchor import AnchorWriter
from core.conversations import ConversationRepository
from core.schema import open_app_db
from core.settings import Settings
from core.tracing import configure_tracing
from core.users import UserStore
from sandbox.api import create_app as create_sandbox_app
from tools.registry import PaymentSystems

STATIC_DIR = Path(__file__).parent / "static"
log = structlog.get_logger("payinvest.app")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


async def _build_agent_service(app: FastAPI, settings: Settings) -> None:
    """Start the real AgentService (which starts the embedded LLM when configured); keep the app up if it fails."""
    try:
        from agent.service import AgentService
        from agent.shadow import ShadowRunner

        service = AgentService(settings, systems=app.state.payment_systems, audit=app.state.audit)
        # Only the served app shadows (PAYINVEST_SHADOW_RELEASE): the CLI and the eval harness never do.
        service.shadow = ShadowRunner.from_settings(
            settings, app.state.engine, service.config, app.state.audit
        )
        await service.start()
        web_view: AgentServiceProtocol = service  # the routes rely on this protocol only (mypy checks it)
        app.state.agent_service = web_view
    except Exception as exc:  # the UI still serves login, compliance and admin
        app.state.agent_error = f"agent service failed to start: {type(exc).__name__}: {exc}"
        log.error("agent_unavailable", error=app.state.agent_error)


def _mount_sandbox(app: FastAPI, settings: Settings) -> None:
    """The process's one payments sandbox: served at /payments-api and, without a payments_api_url, the API the
    agent and the case panel read through an in-process transport."""
    try:
        sandbox = create_sandbox_app(settings, audit=app.state.audit)
    except Exception as exc:  # the web app still serves login, compliance and admin
        log.warning("sandbox_not_mounted", error=f"{type(exc).__name__}: {exc}")
        return
    app.mount("/payments-api", sandbox)
    if app.state.payment_systems is None:
        transport = None if settings.payments_api_url else httpx.ASGITransport(app=sandbox)
        app.state.payment_systems = PaymentSystems.from_settings(settings, transport=transport)


def create_app(
    settings: Settings,
    *,
    agent_service: Any | None = None,
    retriever: Any | None = None,
    payment_systems: Any | None = None,
    case_reader: Any | None = None,
    mount_sandbox: bool = True,
    start_agent: bool = True,
) -> FastAPI:
    """Build the web app; tests inject a service (scripted model), retriever and payment systems."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        listener = start_metrics_listener(settings.metrics_bind, registry) if settings.metrics_bind else None
        app.state.metrics_listener = listener
        if app.state.agent_service is None and start_agent:
            await _build_agent_service(app, settings)
        if start_agent:  # what a load balancer will see, once, in the start-up log
            report = await asyncio.to_thread(health.readiness, app)
            failed = {name: c.get("error") for name, c in report["checks"].items() if not c["ok"]}
            (log.info if report["ready"] else log.warning)("readiness", ready=report["ready"], failed=failed)
        yield
        await turns_of(app).drain()  # turns still running finish before their service closes
        if listener is not None:
            listener.shutdown()
        for name in ("agent_service", "payment_systems"):
            obj = getattr(app.state, name, None)
            closer = getattr(obj, "aclose", None)
            if closer is not None and not (name == "agent_service" and agent_service is not None):
                with contextlib.suppress(Exception):
                    await closer()

    if settings.metrics_bind:
        parse_bind(settings.metrics_bind)  # a malformed address fails at start, not at the first scrape
    configure_tracing(
        settings.trace_exporter, endpoint=settings.otlp_endpoint, service_name=settings.service_name
    )
    instrument_langchain()  # LangGraph runs, nodes and LLM calls as spans (only when tracing is on)
    app = FastAPI(title="payinvest", version="0.1.0", lifespan=lifespan, docs_url="/api/docs", redoc_url=None)
    engine = open_app_db(settings.app_db_url)
    registry = app_registry(engine)
    app.state.metrics_registry = registry
    app.state.settings = settings
    app.state.engine = engine
    app.state.audit = AuditLog(engine, anchor=AnchorWriter.from_settings(settings))
    app.state.users = UserStore(engine)
    app.state.sessions = SessionStore(engine, app.state.users)
    app.state.conversations = ConversationRepository(engine)
    app.state.agent_service = agent_service
    app.state.agent_error = None if start_agent else "the agent service is disabled in this process"
    app.state.retriever = retriever
    app.state.payment_systems = payment_systems
    app.state.case_reader = (
        case_reader  # async (tool_name, args) -> dict for the case panel; tests inject one
    )

    install_error_handlers(app)
    install_rate_limit_handler(app)
    app.add_middleware(BodySizeLimitMiddleware)  # 413 before any body is parsed (also for /payments-api)
    routers = (
        auth,
        conversations,
        proposals,
        approvals,
        reference,
        compliance,
        admin,
        operations,
        health,
        metrics,
    )
    for module in routers:
        app.include_router(module.router)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith("/payments-api"):
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)
        return response

    # Added last, so it runs first: every response (413s and errors too) gets a request id, a log line, a span.
    app.add_middleware(RequestObservabilityMiddleware)

    @app.get("/api/health", tags=["health"], response_model=HealthOut)
    def health_summary() -> dict:
        return {"ok": True, "agent": app.state.agent_service is not None}

    if mount_sandbox:
        _mount_sandbox(app, settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})

    return app
