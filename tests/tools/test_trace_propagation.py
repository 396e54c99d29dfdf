"""The payments API clients send the current trace as ``traceparent``: a request inside a turn continues its
trace, one outside starts a trace of its own (OpenTelemetry's httpx transport)."""

from __future__ import annotations

import asyncio

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from core.tracing import configure_tracing, tracer
from tools.registry import PaymentSystems


def test_payments_api_requests_carry_the_trace() -> None:
    configure_tracing(span_exporter=InMemorySpanExporter())
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent"))
        return httpx.Response(200, json={})

    async def calls() -> str:
        systems = PaymentSystems.connect(
            "http://payments.test", token="t", transport=httpx.MockTransport(handler)
        )
        try:
            await systems.http.get("/healthz")  # outside any turn
            with tracer().start_as_current_span("turn") as span:
                await systems.http.get("/healthz")
                return format(span.get_span_context().trace_id, "032x")
        finally:
            await systems.aclose()

    trace_id = asyncio.run(calls())
    assert seen[0] is not None and seen[0].split("-")[1] != trace_id
    assert seen[1] is not None and seen[1].split("-")[1] == trace_id
