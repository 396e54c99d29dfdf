"""OpenTelemetry spans for LangChain/LangGraph runs (OpenInference's maintained LangChain instrumentor).

With tracing on, every LangGraph run, graph node and chat-model call becomes a span nested by LangChain's run
tree, under the turn's ``agent run`` span. Inputs, outputs and messages are hidden from the spans: graph state
holds the analyst's words and personal data, which a trace backend must not receive. ``in_node_span`` makes the
node's span current while the node runs, so the payments API's httpx spans and the retrieval spans nest under
the node that made them (the instrumentor deliberately attaches no context of its own)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from core.tracing import installed_provider

_lock = threading.Lock()
_done = False


def instrument_langchain() -> bool:
    """Install the LangChain instrumentor on the process's tracer provider once; False while tracing is off."""
    global _done
    provider = installed_provider()
    if provider is None:
        return False
    with _lock:
        if not _done:
            from openinference.instrumentation import TraceConfig
            from openinference.instrumentation.langchain import LangChainInstrumentor

            hidden = TraceConfig(
                hide_inputs=True,
                hide_outputs=True,
                hide_input_messages=True,
                hide_output_messages=True,
                hide_prompts=True,
            )
            LangChainInstrumentor().instrument(tracer_provider=provider, config=hidden)
            _done = True
    return True


def _node_span() -> Any:
    if not _done:
        return None
    from openinference.instrumentation.langchain import get_current_span

    return get_current_span()


def in_node_span(node: Callable[..., Any]) -> Any:
    """The async node run with the instrumentor's span of this node as the current span (a no-op while the
    instrumentor is not installed). The signature is the node's (``functools.wraps``), so LangGraph still
    passes ``runtime``."""

    @functools.wraps(node)
    async def run(*args: Any, **kwargs: Any) -> Any:
        span = _node_span()
        if span is None:
            return await node(*args, **kwargs)
        with trace.use_span(span, end_on_exit=False):
            return await node(*args, **kwargs)

    return run
