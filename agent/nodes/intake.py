"""Intake: reset the per-turn fields and extract references deterministically (no model call)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.case_typing import keyword_intent
from agent.context import AgentContext
from agent.pseudonymise import Pseudonymiser
from agent.references import extract_references
from agent.state import AgentState
from core.domain import CaseType

_PER_TURN_RESET: dict[str, Any] = {
    "plan": {},
    "evidence": [],
    "hits": [],
    "answer": "",
    "citations": [],
    "invalid_citations": 0,
    "unsupported_claims": 0,
    "findings": [],
    "classification": {},
    "case_type_choices": [],
    "triage": {},
    "proposals": [],
    "blocked": [],
    "decisions": [],
    "approval_error": None,
    "executions": [],
    "llm_calls": [],
    "iteration": 0,
    "seen_refs": [],
    "pending_refs": [],
}


def keyword_case_type(message: str, refs: dict[str, list[str]]) -> CaseType:
    """The keyword guess of the case type (the fallback text intent when no classifier is installed)."""
    return keyword_intent(message, bool(refs.get("payment_refs"))).case_type


async def intake(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Reset the per-turn fields and extract the references of the message."""
    ctx = runtime.context
    message = state.get("message", "")
    refs = extract_references(message)
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    pseudo.learn_text(message)
    return {
        **_PER_TURN_RESET,
        "references": refs,
        "pseudonyms": pseudo.mapping,
        "status": "answered",
        "max_iterations": ctx.config.max_iterations,
    }
