"""Summary: after the decisions (and executions), tell the analyst what happened.

The reply is rendered from the proposals' records (status, approver, reason, the payments API's result), never
by the model: a decision's outcome is a fact the system holds, and a model paraphrase of it can only add errors
(the embedded model once wrote "rejected" of a credited payment in a closing summary)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.events import emit
from agent.state import AgentState

# What each action is, in an analyst's words (core.domain.ActionKind values).
KIND_LABELS = {
    "recall": "recall request",
    "investigation": "investigation request",
    "investigation_answer": "investigation answer",
    "return_funds": "return of funds",
    "release_hold": "release of the screening hold",
    "request_info": "request for information",
    "open_case": "new case",
    "close_case": "case closure",
    "escalate": "escalation",
}


def _subject(p: dict[str, Any]) -> str:
    label = KIND_LABELS.get(str(p.get("kind")), str(p.get("kind")).replace("_", " "))
    code = f" ({p['reason_code']})" if p.get("reason_code") else ""
    return f"{p['id']}: the {label}{code} on {p.get('args', {}).get('reference', '?')}"


def _sent(result: dict[str, Any]) -> str:
    message = result.get("message") or {}
    if isinstance(message, dict) and message.get("message_type"):  # the action id is the message's MsgId
        ident = f" (MsgId {result['action_id']})" if result.get("action_id") else ""
        return f" and sent as {message['message_type']}{ident}"
    if result.get("action_id"):
        return f" and carried out (action {result['action_id']})"
    return " and carried out"


def outcome_line(p: dict[str, Any]) -> str:
    """One sentence per proposal: what it is, its final status, who decided, why, and what the API did."""
    subject, status, by = _subject(p), str(p.get("status")), p.get("decided_by")
    who = f" by {by}" if by else ""
    raw = p.get("result")
    result: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if status == "executed":
        return f"{subject} was approved{who}{_sent(result)}."
    if status == "failed":
        why = result.get("message") or result.get("error") or "no reason recorded"
        return f"{subject} was approved{who} but not carried out: {why}."
    if status == "rejected":
        reason = f'; reason given: "{p["reason"]}"' if p.get("reason") else ""
        return f"{subject} was rejected{who}{reason}. Nothing was sent."
    if status == "approved":
        return f"{subject} was approved{who} and is waiting to be carried out."
    return f"{subject} is {status}{who}."


def outcome_lines(state: AgentState) -> str:
    return "\n".join(outcome_line(p) for p in state.get("proposals") or []) or "No actions were proposed."


async def summary(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """The closing reply about approvals, rejections (with their reasons), executions and failures."""
    text = f"Outcome of the proposed actions:\n{outcome_lines(state)}"
    emit("answer", {"text": text, "citations": [], "invalid_citations": 0, "summary": True})
    return {
        "answer": text,
        "citations": [],
        "invalid_citations": 0,
        "llm_calls": list(state.get("llm_calls") or []),
        "messages": [AIMessage(content=text)],
        "status": "completed",
    }
