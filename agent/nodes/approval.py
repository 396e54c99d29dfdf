"""Approval: ONE interrupt carrying the whole batch of proposals; nothing with a side effect before it."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.state import AgentState


def approval(state: AgentState) -> dict[str, Any]:
    """Pause the thread until every proposal of the batch is decided through AgentService.decide."""
    batch = [{k: v for k, v in p.items() if k != "iso_xml"} for p in state.get("proposals") or []]
    # The resume value is built by the service from the proposals store (the source of truth).
    resumed = interrupt({"thread_id": state.get("thread_id"), "turn": state.get("turn"), "proposals": batch})
    decided = {p["id"]: p for p in resumed.get("proposals", [])}
    proposals = [{**p, **decided.get(p["id"], {})} for p in state.get("proposals") or []]
    return {"proposals": proposals, "decisions": list(resumed.get("decisions", [])), "status": "completed"}
