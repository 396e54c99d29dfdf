"""Per-request observability: request id, one access log line, HTTP latency by route template.

One pure ASGI middleware (outermost), so every response, errors and 413s included, carries ``X-Request-ID``,
is timed and is logged once. The trace span of the request is FastAPI's own (``fastapi.telemetry``)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import metrics

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept only when it is short and plain (it lands in logs and audit records).
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = structlog.get_logger("payinvest.access")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's ``X-Request-ID`` when it is well formed, else a new one."""
    for key, value in headers:
        if key.lower() == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1").strip()
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def route_template(scope: Scope, root_path: str) -> str:
    """The matched route's template (``/api/conversations/{conversation_id}``), never the raw path, so the
    metric's label set stays bounded; mounted apps add their mount prefix."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    prefix = str(scope.get("root_path", ""))[len(root_path) :]
    return f"{prefix}{path}" or "/"


class RequestObservabilityMiddleware:
    """Binds ``request_id`` for the request's log lines and its trace span, times the request and logs it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers") or [])
        root_path = str(scope.get("root_path", ""))
        method = scope.get("method", "")
        status = {"code": 500}
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        # FastAPI (0.165+) opens the HTTP server span itself, around the middleware stack, and continues an
        # incoming ``traceparent``: the request id is added to that span rather than opening a second one.
        span = trace.get_current_span()
        span.set_attribute("payinvest.request_id", request_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope, root_path)
            metrics.HTTP_LATENCY.labels(method=method, route=route, status=str(status["code"])).observe(
                elapsed
            )
            _log_access(scope, method, route, status["code"], elapsed)


def _log_access(scope: Scope, method: str, route: str, status: int, elapsed: float) -> None:
    state: dict[str, Any] = scope.get("state") or {}
    fields: dict[str, Any] = {
        "method": method,
        "path": scope.get("path", ""),
        "route": route,
        "status": status,
        "duration_ms": round(elapsed * 1000, 1),
    }
    if state.get("user"):
        fields["user"] = state["user"]
    params = scope.get("path_params") or {}
    thread = params.get("conversation_id") or params.get("thread_id")
    if thread:
        fields["thread_id"] = thread
    client = scope.get("client")
    if client:
        fields["client"] = client[0]
    quiet = route.startswith("/api/health") or route == "/metrics"  # probes and scrapes every few seconds
    (access_log.debug if quiet else access_log.info)("http_request", **fields)
