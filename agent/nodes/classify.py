"""Classify: the case type from the analyst's words and the triage evidence, without the LLM by default.

``AgentConfig.classifier`` picks the text intent: ``"trained"`` (the calibrated classifier of
``agent.classifier``; cheap keywords when it is not installed) or ``"llm"`` (the challenger: one structured
call). Either way the evidence rules of ``agent.case_rules`` have the last word (``agent.case_typing``).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from agent.case_text import case_text
from agent.case_typing import TextIntent, decide_case_type, keyword_intent, trained_intent
from agent.context import AgentContext
from agent.events import emit
from agent.evidence import EvidenceView
from agent.llm.calls import structured_call
from agent.pseudonymise import Pseudonymiser
from agent.references import compact_references
from agent.state import AgentState
from core.domain import CaseType


class CaseClassification(BaseModel):
    """The case type of an analyst's request."""

    case_type: CaseType = Field(description="One case type from the list.")


def llm_on(ctx: AgentContext) -> bool:
    return ctx.chat_model is not None and (ctx.llm_enabled is None or bool(ctx.llm_enabled()))


async def _llm_intent(
    ctx: AgentContext, state: AgentState, fallback: TextIntent
) -> tuple[TextIntent, dict[str, Any]]:
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    refs = state.get("references") or {}
    parsed, record = await structured_call(
        ctx,
        "intake",
        {
            "message": pseudo.mask_message(case_text(state.get("message", ""))),
            "references": pseudo.mask(compact_references(refs)),
        },
        CaseClassification,
    )
    if parsed is None:
        return fallback, record
    return TextIntent(parsed.case_type, 1.0, "llm", threshold=1.0), record


async def text_intent(ctx: AgentContext, state: AgentState) -> tuple[TextIntent, list[dict[str, Any]]]:
    """What the words say, from the configured classifier (it reads agent.case_text: no hidden text and no
    instructions addressed to the assistant)."""
    message = case_text(state.get("message", ""))
    has_ref = bool((state.get("references") or {}).get("payment_refs"))
    fallback = keyword_intent(message, has_ref)
    if ctx.config.classifier == "llm" and llm_on(ctx):
        intent, record = await _llm_intent(ctx, state, fallback)
        return intent, [record]
    if ctx.classifier is not None:
        try:
            return await trained_intent(ctx.classifier, message), []
        except Exception:  # a broken model file must not stop the turn: the keywords still decide
            return fallback, []
    return fallback, []


async def classify(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Decide the case type; when it is not clear, keep the likeliest choices for the analyst to pick."""
    ctx = runtime.context
    refs = state.get("references") or {}
    targets = refs.get("payment_refs") or []
    view = EvidenceView(state.get("evidence") or [], targets[0] if targets else None)
    intent, calls = await text_intent(ctx, state)
    chosen = state.get("chosen_case_type")
    settled = state.get("thread_case_type")
    same_payment = bool(targets) and targets[0] == state.get("thread_payment")
    decision = decide_case_type(
        intent,
        view,
        CaseType(chosen) if chosen else None,
        has_payment=view.payment is not None or bool(targets),
        thread_case=CaseType(settled) if settled and same_payment else None,
    )
    data = {
        **decision.to_dict(),
        "intent": {
            "case_type": intent.case_type.value,
            "confidence": round(intent.confidence, 3),
            "source": intent.source,
            "version": intent.version,
        },
    }
    emit("intake", {"case_type": decision.case_type.value, "source": decision.source, "references": refs})
    emit("classification", data)
    if decision.choices:
        emit("case_type_choice", {"choices": decision.choices, "why": decision.why})
    return {
        "case_type": decision.case_type.value,
        # what later turns about the same payment fall back on (a case type the analyst was asked about is not)
        "thread_case_type": settled if decision.choices else decision.case_type.value,
        "classification": data,
        "case_type_choices": decision.choices,
        "llm_calls": [*(state.get("llm_calls") or []), *calls],
    }
