"""Intake: extract references deterministically and classify the case type with a structured LLM call."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from agent.context import AgentContext
from agent.events import emit
from agent.llm.calls import structured_call
from agent.pseudonymise import Pseudonymiser
from agent.references import compact_references, extract_references
from agent.state import AgentState
from core.domain import CaseType


class CaseClassification(BaseModel):
    """The case type of an analyst's request."""

    case_type: CaseType = Field(description="One case type from the list.")


# Used only when the LLM is switched off or fails: cheap keywords, most specific first.
_KEYWORDS: tuple[tuple[str, CaseType], ...] = (
    (r"duplicat|sent twice|twice", CaseType.DUPLICATE),
    (r"fraud|scam|\bapp\b", CaseType.FRAUD_RECALL),
    (r"wrong (beneficiary|account)|misdirect", CaseType.WRONG_BENEFICIARY),
    (r"recall|cancel", CaseType.CANCELLATION_RECALL),
    (r"cover", CaseType.MISSING_COVER),
    (r"charge|fee", CaseType.CHARGES),
    (r"value date|interest|compensat", CaseType.VALUE_DATE),
    (r"sanction|screening|hold|compliance", CaseType.COMPLIANCE_HOLD),
    (r"return", CaseType.RETURN_OF_FUNDS),
    (r"amend|modif|change the", CaseType.AMENDMENT),
    (r"unable to apply|cannot apply|missing (creditor|details)", CaseType.UNABLE_TO_APPLY),
    (r"never arrived|not (been )?(received|credited)|non-receipt", CaseType.CLAIM_NON_RECEIPT),
    (r"where is|status", CaseType.STATUS_CHASER),
)

_PER_TURN_RESET: dict[str, Any] = {
    "plan": {},
    "evidence": [],
    "hits": [],
    "answer": "",
    "citations": [],
    "invalid_citations": 0,
    "proposals": [],
    "blocked": [],
    "decisions": [],
    "executions": [],
    "llm_calls": [],
    "iteration": 0,
    "seen_refs": [],
    "pending_refs": [],
}


def keyword_case_type(message: str, refs: dict[str, list[str]]) -> CaseType:
    """Fallback classification without a model."""
    lowered = message.lower()
    for pattern, case_type in _KEYWORDS:
        if re.search(pattern, lowered):
            return case_type
    return CaseType.STATUS_CHASER if refs.get("payment_refs") else CaseType.GENERAL


def _llm_on(ctx: AgentContext) -> bool:
    return ctx.chat_model is not None and (ctx.llm_enabled is None or bool(ctx.llm_enabled()))


async def intake(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Reset the per-turn fields, extract references and classify the request."""
    ctx = runtime.context
    message = state.get("message", "")
    refs = extract_references(message)
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    pseudo.learn_text(message)
    masked = pseudo.mask_message(message)  # nothing read yet: unknown words (names) never reach the model
    llm_calls: list[dict[str, Any]] = []
    case_type, source = keyword_case_type(message, refs), "keywords"
    if _llm_on(ctx):
        parsed, record = await structured_call(
            ctx,
            "intake",
            {"message": masked, "references": pseudo.mask(compact_references(refs))},
            CaseClassification,
        )
        llm_calls.append(record)
        if parsed is not None:
            case_type, source = parsed.case_type, "llm"
    emit("intake", {"case_type": case_type.value, "source": source, "references": refs})
    return {
        **_PER_TURN_RESET,
        "case_type": case_type.value,
        "references": refs,
        "llm_calls": llm_calls,
        "pseudonyms": pseudo.mapping,
        "status": "answered",
        "max_iterations": ctx.config.max_iterations,
    }
