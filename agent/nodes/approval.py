"""Approval: ONE interrupt carrying the whole batch of proposals; nothing with a side effect before it.

The interrupt value is the project's batch (``thread_id``, ``turn``, ``proposals``) plus LangChain's HITL
request (agent.hitl). The service resumes with the decided proposals read from its store; a LangGraph client
(Studio, ``langgraph-sdk``) resumes with a ``HITLResponse``, which this node checks with the same approval rules
(role, four-eyes, limits, compliance sign-off, kill switch) before anything is recorded.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.context import AgentContext
from agent.deciding import apply_decisions
from agent.errors import AgentError
from agent.events import emit
from agent.hitl import hitl_request, is_hitl_response, reviewer, to_decisions
from agent.proposals import FINAL_STATUSES
from agent.state import AgentState


def approval_request(state: AgentState) -> dict[str, Any]:
    """The interrupt value: the project's batch, LangChain's HITL request and the last refusal, if any."""
    batch = [{k: v for k, v in p.items() if k != "iso_xml"} for p in state.get("proposals") or []]
    request: dict[str, Any] = {
        "thread_id": state.get("thread_id"),
        "turn": state.get("turn"),
        "proposals": batch,
        **hitl_request(batch),
    }
    if state.get("approval_error"):
        request["error"] = state.get("approval_error")
    return request


async def approval(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Pause the thread until every proposal of the batch is decided (AgentService.decide or a HITL resume)."""
    resumed = interrupt(approval_request(state))
    if is_hitl_response(resumed):
        return await _review(state, runtime.context, resumed, get_config())
    decided = {p["id"]: p for p in resumed.get("proposals", [])}
    proposals = [{**p, **decided.get(p["id"], {})} for p in state.get("proposals") or []]
    return {"proposals": proposals, "decisions": list(resumed.get("decisions", [])), "status": "completed"}


def _audit(ctx: AgentContext, event_type: str, data: dict[str, Any], actor: str, thread_id: str) -> None:
    if ctx.audit is not None:
        ctx.audit.record({"type": event_type, "data": data}, actor=actor, thread_id=thread_id)


def _submit(ctx: AgentContext, proposals: list[dict[str, Any]], thread_id: str) -> None:
    """Reaching the interrupt is the request for review: proposals not yet submitted are submitted by their
    requester (who still cannot approve them)."""
    for p in proposals:
        requester = p.get("requested_by") or "unknown"
        if ctx.store.transition(
            p["id"],
            expected=("proposed",),
            status="submitted",
            history_event={"event": "submitted", "by": requester, "via": "hitl"},
        ):
            _audit(ctx, "submission", {"proposal_ids": [p["id"]], "via": "hitl"}, requester, thread_id)


async def _review(
    state: AgentState, ctx: AgentContext, response: dict[str, Any], config: RunnableConfig
) -> dict[str, Any]:
    proposals = list(state.get("proposals") or [])
    thread_id = state.get("thread_id", "")
    approver = None
    try:
        approver = reviewer(response, config, ctx.users)
        decisions = to_decisions(response, proposals)
        _submit(ctx, proposals, thread_id)
        enabled = ctx.actions_enabled() if ctx.actions_enabled is not None else True
        records = await apply_decisions(
            ctx.store, ctx.port, thread_id, decisions, approver, actions_enabled=enabled
        )
    except AgentError as exc:  # refused: the thread waits for another decision, with the reason shown
        refusal = {"code": exc.code, "message": exc.message}
        emit("error", refusal)
        who = approver.username if approver else str(response.get("approver") or "unknown")
        refused = {**refusal, "role": approver.role if approver else None, "decisions": response["decisions"]}
        _audit(ctx, "decision_refused", refused, who, thread_id)
        return {"approval_error": refusal, "status": "awaiting_approval"}
    for record in records:
        emit("decision", record)
        _audit(ctx, "decision", record, approver.username, thread_id)
    rows = {p["id"]: ctx.store.get_proposal(p["id"]) or p for p in proposals}
    merged = [
        {**p, **{k: v for k, v in rows[p["id"]].items() if k in p or k == "history"}} for p in proposals
    ]
    done = all(p.get("status") in FINAL_STATUSES for p in merged)
    return {
        "proposals": merged,
        "decisions": [*(state.get("decisions") or []), *records],
        "approval_error": None,
        "status": "completed" if done else "awaiting_approval",
    }
