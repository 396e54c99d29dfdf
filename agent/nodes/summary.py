"""Summary: after the decisions (and executions), tell the analyst what happened."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.events import emit
from agent.llm.calls import text_call, timeout_record
from agent.nodes.classify import llm_on as _llm_on
from agent.pseudonymise import Pseudonymiser
from agent.state import AgentState


def outcome_lines(state: AgentState) -> str:
    """One line per proposal: kind, reason code, final status, who decided, why, result."""
    lines = []
    for p in state.get("proposals") or []:
        line = f"{p['id']} {p['kind']} {p['reason_code']} on {p['args'].get('reference', '?')}: {p['status']}"
        if p.get("decided_by"):
            line += f" by {p['decided_by']}"
        if p.get("reason"):
            line += f"; reason given: {p['reason']}"
        if p.get("result"):
            result = p["result"]
            line += f"; result: {result.get('status') or result.get('message') or result.get('error') or 'recorded'}"
        lines.append(line)
    return "\n".join(lines) or "no proposals"


async def summary(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """A short closing reply about approvals, rejections (with their reasons) and executions."""
    ctx = runtime.context
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    outcomes = outcome_lines(state)
    llm_calls = list(state.get("llm_calls") or [])
    text = None
    if _llm_on(ctx):
        call = text_call(ctx, "summary", {"outcomes": pseudo.mask(outcomes)}, max_tokens=160)
        try:  # a hanging model must not hold the approval: the outcome lines are the reply then
            text, record = await asyncio.wait_for(call, timeout=ctx.config.summary_timeout_s)
        except TimeoutError:
            text, record = None, timeout_record(ctx, "summary", ctx.config.summary_timeout_s)
        llm_calls.append(record)
        text = pseudo.unmask(text) if text and text.strip() else None
    text = text or f"Outcome of the proposed actions:\n{outcomes}"
    emit("answer", {"text": text, "citations": [], "invalid_citations": 0, "summary": True})
    return {
        "answer": text,
        "citations": [],
        "invalid_citations": 0,
        "llm_calls": llm_calls,
        "messages": [AIMessage(content=text)],
        "status": "completed",
    }
