"""Execute writes: each approved proposal runs exactly once (idempotency key, result recorded first)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.events import emit
from agent.faults import fault_point
from agent.ports import ToolFailure
from agent.state import AgentState
from agent.store import json_safe
from agent.tool_messages import tool_messages
from core.domain import ActionKind


def approval_ref(ctx: AgentContext, row: dict[str, Any]) -> str:
    """The signed reference of the recorded approval (approver, requester, exact arguments, key)."""
    if ctx.approvals is None:  # test doubles of the payment port only; the payments API refuses this
        return f"{row['id']}/{row['decided_by']}"
    kind = ActionKind(row["kind"])
    try:  # hash the arguments exactly as the API will see them (validated, defaults filled)
        args = ctx.port.validate_args(kind, dict(row["args"]))
    except Exception:  # invalid arguments: the API refuses them with its own typed error
        args = dict(row["args"])
    return ctx.approvals.issue(
        proposal_id=row["id"],
        kind=kind.value,
        args=args,
        approver=row["decided_by"] or "",
        requester=row["requested_by"] or "",
        idempotency_key=row["idempotency_key"],
    )


async def _execute_one(ctx: AgentContext, proposal: dict[str, Any]) -> dict[str, Any]:
    row = ctx.store.get_proposal(proposal["id"])
    if row is None:
        return {"proposal_id": proposal["id"], "status": "failed", "result": {"error": "unknown proposal"}}
    if row["status"] in ("executed", "failed"):  # recorded before a crash: never send twice
        return {"proposal_id": row["id"], "status": row["status"], "result": row["result"], "replayed": True}
    if row["status"] != "approved":
        return {"proposal_id": row["id"], "status": row["status"], "result": None}
    if ctx.actions_enabled is not None and not ctx.actions_enabled():
        status, result = "failed", {"error": "actions_disabled", "message": "the actions kill switch is on"}
    else:
        fault_point("before_execute")
        try:
            result = json_safe(
                await ctx.port.execute(
                    ActionKind(row["kind"]),
                    dict(row["args"]),
                    idempotency_key=row["idempotency_key"],
                    approval_ref=approval_ref(ctx, row),
                )
            )
            status = "executed"
        except ToolFailure as exc:
            status, result = "failed", {"error": exc.code, "message": exc.message}
        fault_point("after_execute")
    ctx.store.transition(
        row["id"], expected=("approved",), status=status, result=result, history_event={"event": status}
    )
    fault_point("after_record")
    return {"proposal_id": row["id"], "status": status, "result": result}


async def execute_writes(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Run the approved proposals one after the other and record each result before moving on."""
    ctx = runtime.context
    executions = list(state.get("executions") or [])
    done = {e["proposal_id"] for e in executions}
    proposals = list(state.get("proposals") or [])
    for index, proposal in enumerate(proposals):
        if proposal.get("status") not in ("approved", "executed", "failed") or proposal["id"] in done:
            continue
        execution = await _execute_one(ctx, proposal)
        executions.append(execution)
        proposals[index] = {**proposal, "status": execution["status"], "result": execution["result"]}
        emit("execution", execution)
    return {"executions": executions, "proposals": proposals, "messages": _action_messages(state, executions)}


def _action_messages(state: AgentState, executions: list[dict[str, Any]]) -> list[Any]:
    """The executed actions as tool calls and results (the approved arguments, the payments API's reply)."""
    by_id = {p["id"]: p for p in state.get("proposals") or []}
    items = [
        {
            "id": e["proposal_id"],
            "tool": by_id.get(e["proposal_id"], {}).get("kind", "action"),
            "args": by_id.get(e["proposal_id"], {}).get("args") or {},
            "ok": e["status"] == "executed",
            "data": e.get("result"),
            "error": e.get("result"),
            "summary": e["status"],
        }
        for e in executions
        if e.get("status") in ("executed", "failed")
    ]
    return tool_messages(
        items, thread_id=state.get("thread_id", ""), turn=state.get("turn", 0), round_id="writes"
    )
