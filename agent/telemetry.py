"""Metrics and trace spans from the agent's event stream (docs/operations.md).

The nodes already report what happened (``llm_call``, ``tool_result``, ``classification``, ``answer``, ...);
this module turns those events into the Prometheus families of ``core.metrics`` and into OpenTelemetry spans
(``TurnSpans``, with LangGraph's ``tasks`` stream for the nodes) without touching the nodes.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

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
    """One trace per graph run: a root span (child of the HTTP span when there is one), a span per graph node
    from LangGraph's ``tasks`` stream, and spans for the LLM and tool calls the nodes report (placed by their
    measured latency, under the node that made them)."""

    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self._root = tracer().start_span(name, attributes=attributes)
        self._root_context = trace.set_span_in_context(self._root)
        self._nodes: dict[str, Span] = {}
        self._open: list[str] = []

    def current(self) -> Any:
        """A context manager making the root span the current one (the instrumented LangGraph run, its nodes
        and their httpx calls become its descendants)."""
        return trace.use_span(self._root, end_on_exit=False)

    @property
    def trace_id(self) -> str | None:
        context = self._root.get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None

    def on_task(self, chunk: dict[str, Any]) -> None:
        """A ``tasks`` stream part: a node starting (has ``input``) or finishing (has ``result``/``error``)."""
        task_id, name = str(chunk.get("id")), str(chunk.get("name"))
        if "input" in chunk and "result" not in chunk:
            self._nodes[task_id] = tracer().start_span(f"node {name}", context=self._root_context)
            self._nodes[task_id].set_attribute("langgraph.node", name)
            self._open.append(task_id)
            return
        span = self._nodes.pop(task_id, None)
        if span is None:
            return
        if chunk.get("error"):
            span.set_status(Status(StatusCode.ERROR, str(chunk["error"])[:200]))
        if chunk.get("interrupts"):
            span.set_attribute("langgraph.interrupted", True)
        span.end()
        self._open = [t for t in self._open if t != task_id]

    def on_event(self, event: dict[str, Any]) -> None:
        """LLM and tool calls as child spans of the node that is running, timed by their reported latency."""
        kind, data = event.get("type"), event.get("data") or {}
        if kind == "llm_call":
            attributes = {
                "llm.prompt": str(data.get("prompt", "")),
                "llm.prompt_version": str(data.get("version", "")),
                "llm.provider": str(data.get("provider", "")),
                "llm.model": str(data.get("model", "")),
                "llm.prompt_tokens": int(data.get("prompt_tokens") or 0),
                "llm.completion_tokens": int(data.get("completion_tokens") or 0),
            }
            self._past_span(f"llm {data.get('prompt')}", data, attributes, ok=bool(data.get("ok")))
        elif kind == "tool_result":
            attributes = {"tool.name": str(data.get("tool", "")), "tool.evidence_id": str(data.get("id", ""))}
            self._past_span(f"tool {data.get('tool')}", data, attributes, ok=bool(data.get("ok")))

    def _past_span(self, name: str, data: dict[str, Any], attributes: dict[str, Any], ok: bool) -> None:
        parent = self._nodes.get(self._open[-1]) if self._open else None
        context = trace.set_span_in_context(parent) if parent is not None else self._root_context
        end = time.time_ns()
        start = end - int(float(data.get("latency_ms") or 0) * 1_000_000)
        span = tracer().start_span(name, context=context, start_time=start, attributes=attributes)
        if not ok:
            span.set_status(
                Status(StatusCode.ERROR, str(data.get("error") or data.get("summary") or "")[:200])
            )
        span.end(end_time=end)

    def close(self, error: BaseException | None = None) -> None:
        """End the open node spans and the root span."""
        for span in self._nodes.values():
            span.end()
        self._nodes.clear()
        if error is not None:
            self._root.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}"))
        self._root.end()
