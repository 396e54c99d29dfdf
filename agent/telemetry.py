"""Metrics and trace spans from the agent's event stream (docs/operations.md).

The nodes already report what happened (``llm_call``, ``tool_result``, ``classification``, ``answer``, ...);
this module turns those events into the Prometheus families of ``core.metrics`` without touching the nodes, and
holds the root span of a turn (``TurnSpans``; the spans below it come from agent.instrumentation).
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from core import metrics
from core.tracing import tracer


def _outcome(ok: Any) -> str:
    return "ok" if ok else "error"


def observe_event(event: dict[str, Any]) -> None:
    """Count one agent event (unknown types are ignored)."""
    kind, data = event.get("type"), event.get("data") or {}
    if kind == "llm_call":
        prompt, version = str(data.get("prompt", "")), str(data.get("version", ""))
        metrics.LLM_CALLS.labels(
            prompt=prompt,
            version=version,
            provider=str(data.get("provider", "")),
            outcome="ok" if data.get("ok") else "failed",
        ).inc()
        tokens = metrics.LLM_TOKENS
        tokens.labels(prompt=prompt, version=version, direction="prompt").inc(data.get("prompt_tokens") or 0)
        tokens.labels(prompt=prompt, version=version, direction="completion").inc(
            data.get("completion_tokens") or 0
        )
        metrics.LLM_LATENCY.labels(prompt=prompt, version=version).observe(
            float(data.get("latency_ms") or 0) / 1000
        )
    elif kind == "tool_result":
        tool = str(data.get("tool", ""))
        metrics.TOOL_CALLS.labels(tool=tool, outcome=_outcome(data.get("ok"))).inc()
        metrics.TOOL_LATENCY.labels(tool=tool).observe(float(data.get("latency_ms") or 0) / 1000)
    elif kind == "classification":
        intent = data.get("intent") or {}
        if intent.get("confidence") is not None:
            metrics.CLASSIFIER_CONFIDENCE.labels(source=str(intent.get("source", ""))).observe(
                float(intent["confidence"])
            )
    elif kind == "proposals":
        for proposal in data.get("proposals") or []:
            metrics.PROPOSALS_CREATED.labels(kind=str(proposal.get("kind", ""))).inc()
    elif kind == "answer" and not data.get("summary"):
        metrics.VERIFIER_REMOVALS.inc(int(data.get("unsupported_claims") or 0))
    elif kind == "decision":
        metrics.DECISIONS.labels(action=str(data.get("action", ""))).inc()
    elif kind == "decision_refused":
        metrics.DECISION_REFUSALS.labels(code=str(data.get("code", ""))).inc()


def observe_findings(started: float) -> None:
    """The findings event of a turn: seconds since the message arrived."""
    metrics.TIME_TO_FINDINGS.observe(time.perf_counter() - started)


def observe_turn(status: str, started: float) -> None:
    """The end of one turn: its latency by final status."""
    metrics.TURN_LATENCY.labels(status=status).observe(time.perf_counter() - started)


class TimedRetriever:
    """Wraps the SOP retriever so every search is timed (any retriever: the real one or a test's)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def search(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "error"
        with tracer().start_as_current_span("retrieval search") as span:
            try:
                hits = self._inner.search(*args, **kwargs)
                outcome = "ok"
                span.set_attribute("retrieval.hits", len(hits))
                return hits
            finally:
                metrics.RETRIEVAL_LATENCY.labels(outcome=outcome).observe(time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class TurnSpans:
    """The root span of one graph run (a child of the HTTP span when there is one). Made current while the
    graph runs, so the LangGraph run, its nodes and LLM calls (agent.instrumentation) and the payments API's
    httpx calls inside the nodes are its descendants: one trace per turn."""

    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self._root = tracer().start_span(name, attributes=attributes)

    def current(self) -> Any:
        """A context manager making the root span the current one."""
        return trace.use_span(self._root, end_on_exit=False)

    @property
    def trace_id(self) -> str | None:
        context = self._root.get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None

    def close(self, error: BaseException | None = None) -> None:
        """End the root span (marked as an error when the run failed)."""
        if error is not None:
            self._root.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}"))
        self._root.end()
