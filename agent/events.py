"""Agent events (``{"type", "data"}``) emitted from nodes through LangGraph's custom stream."""

from __future__ import annotations

from typing import Any

EVENT_TYPES = (
    "intake",
    "triage",
    "classification",
    "case_type_choice",
    "plan",
    "tool_call",
    "tool_result",
    "retrieval",
    "llm_call",
    "token",
    "answer",
    "proposals",
    "findings",
    "approval",
    "decision",
    "execution",
    "error",
    "turn",
)


def emit(event_type: str, data: dict[str, Any]) -> None:
    """Send one event to the service's stream (a no-op when the graph runs without streaming)."""
    from langgraph.config import get_stream_writer

    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (unit tests of helpers)
        return
    writer({"type": event_type, "data": data})
