"""OpenTelemetry tracing: one tracer provider per process, off by default, console or OTLP by setting.

With the exporter off no provider is installed and every span is OpenTelemetry's no-op span (no cost, no
trace id). ``current_trace_id`` is what the logs and the audit event of a turn carry."""

from __future__ import annotations

import sys
import threading
from collections.abc import MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

TRACER_NAME = "payinvest"
_lock = threading.Lock()
_installed: TracerProvider | None = None


class _StderrWriter:
    """The console exporter writes to the *current* sys.stderr (test harnesses swap the stream)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _exporter(kind: str, endpoint: str | None) -> SpanExporter:
    if kind == "console":
        # One span per line, so stderr stays one JSON object per line next to the JSON logs.
        return ConsoleSpanExporter(
            out=_StderrWriter(),  # type: ignore[arg-type]
            formatter=lambda span: span.to_json(indent=None) + "\n",
        )
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()


def configure_tracing(
    exporter: str = "off",
    *,
    endpoint: str | None = None,
    service_name: str = "payinvest",
    span_exporter: SpanExporter | None = None,
) -> TracerProvider | None:
    """Install the process's tracer provider once (later calls return it). ``span_exporter`` is for tests
    (an in-memory exporter, exported synchronously)."""
    global _installed
    if exporter == "off" and span_exporter is None:
        return _installed
    with _lock:
        if _installed is None:
            provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
            if span_exporter is not None:
                provider.add_span_processor(SimpleSpanProcessor(span_exporter))
            elif exporter == "console":
                provider.add_span_processor(SimpleSpanProcessor(_exporter(exporter, endpoint)))
            else:
                provider.add_span_processor(BatchSpanProcessor(_exporter(exporter, endpoint)))
            trace.set_tracer_provider(provider)
            _installed = provider
        elif span_exporter is not None:
            _installed.add_span_processor(SimpleSpanProcessor(span_exporter))
    return _installed


def installed_provider() -> TracerProvider | None:
    """The tracer provider ``configure_tracing`` installed (None while tracing is off)."""
    return _installed


def tracer() -> trace.Tracer:
    """The project's tracer (a no-op tracer while no provider is installed)."""
    return trace.get_tracer(TRACER_NAME)


def current_trace_id() -> str | None:
    """The 32-hex-digit id of the current trace, or None outside a recorded span."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def add_trace_ids(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the current trace and span ids on every line logged inside a span."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict
