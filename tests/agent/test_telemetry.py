"""agent.telemetry: events become the right metric samples and spans, failures included."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from agent.telemetry import TimedRetriever, TurnSpans, observe_event
from core.metrics import REGISTRY
from core.tracing import configure_tracing, tracer


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_failed_llm_call_and_a_tool_error_are_counted_as_failures() -> None:
    labels = {"prompt": "plan", "version": "vT", "provider": "scripted"}
    before = value("payinvest_llm_calls_total", **labels, outcome="failed")
    observe_event(
        {
            "type": "llm_call",
            "data": {**labels, "ok": False, "prompt_tokens": 7, "completion_tokens": 0, "latency_ms": 1500},
        }
    )
    assert value("payinvest_llm_calls_total", **labels, outcome="failed") == before + 1
    assert value("payinvest_llm_tokens_total", prompt="plan", version="vT", direction="prompt") >= 7
    assert value("payinvest_llm_call_duration_seconds_sum", prompt="plan", version="vT") >= 1.5
    before = value("payinvest_tool_calls_total", tool="get_tracker_t", outcome="error")
    observe_event({"type": "tool_result", "data": {"tool": "get_tracker_t", "ok": False, "latency_ms": 3}})
    assert value("payinvest_tool_calls_total", tool="get_tracker_t", outcome="error") == before + 1
    before = value("payinvest_decision_refusals_total", code="approval_limit_exceeded")
    observe_event({"type": "decision_refused", "data": {"code": "approval_limit_exceeded"}})
    assert value("payinvest_decision_refusals_total", code="approval_limit_exceeded") == before + 1
    observe_event({"type": "token", "data": {"text": "x"}})  # ignored, no error


class _BrokenRetriever:
    k = 4

    def search(self, *_args: Any, **_kwargs: Any) -> list[Any]:
        raise RuntimeError("chroma is down")


def test_a_failing_search_is_timed_as_an_error_and_still_raises() -> None:
    before = value("payinvest_retrieval_duration_seconds_count", outcome="error")
    timed = TimedRetriever(_BrokenRetriever())
    with pytest.raises(RuntimeError, match="chroma is down"):
        timed.search("q", k=2)
    assert value("payinvest_retrieval_duration_seconds_count", outcome="error") == before + 1
    assert timed.k == 4  # everything else is the wrapped retriever's


def test_turn_spans_are_the_root_of_what_runs_inside_and_mark_failures() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(span_exporter=exporter)
    spans = TurnSpans("agent run", {"payinvest.thread_id": "t1"})
    with spans.current(), tracer().start_as_current_span("node plan"):
        pass
    spans.close(RuntimeError("x"))
    by_name = {
        s.name: s for s in exporter.get_finished_spans() if s.context.trace_id == int(spans.trace_id, 16)
    }
    plan, run = by_name["node plan"], by_name["agent run"]
    assert plan.parent.span_id == run.context.span_id and run.parent is None
    assert run.status.status_code == StatusCode.ERROR and run.attributes["payinvest.thread_id"] == "t1"
