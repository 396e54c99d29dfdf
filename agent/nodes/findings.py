"""Findings: the deterministic, cited statements of the turn, sent as soon as the reads and proposals are done."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.events import emit
from agent.findings import build_findings
from agent.state import AgentState


async def findings(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Build the findings (before any model call) and announce them with the proposals."""
    found = [f.to_dict() for f in build_findings(dict(state))]
    refs = (state.get("references") or {}).get("payment_refs") or []
    emit(
        "findings",
        {
            "case_type": state.get("case_type"),
            "classification": state.get("classification") or {},
            "payment": refs[0] if refs else None,
            "findings": found,
            "proposals": [
                {k: v for k, v in p.items() if k != "iso_xml"} for p in state.get("proposals") or []
            ],
            "case_type_choices": state.get("case_type_choices") or [],
        },
    )
    update: dict[str, Any] = {"findings": found}
    triage = state.get("triage") or {}
    if (
        len(refs) >= 1
        and triage.get("source") in ("message", "search", "thread")
        and any(f["kind"] == "payment" for f in found)
    ):
        update["thread_payment"] = refs[0]  # a follow-up without a reference is about this payment
    return update
