"""The case type of a turn: the analyst's choice, else the text classifier combined with the evidence rules.

Order of precedence (docs/agent.md "Case type"):
1. the analyst picked a case type for this turn (``--case-type``, the UI's one click);
2. an evidence rule of ``agent.case_rules`` fires for the text's intent (structured fields only);
3. the text prediction when it is confident (``CONFIDENCE_THRESHOLD`` of the trained classifier);
4. the open case's case type (a tie-break when the text is not confident);
5. otherwise the turn asks the analyst to pick among the likeliest case types.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.case_rules import confirmed_fraud, evidence_rule, open_case_type
from agent.evidence import EvidenceView
from core.domain import CaseType

# Used only when the trained classifier is not installed: cheap keywords, most specific first.
_KEYWORDS: tuple[tuple[str, CaseType], ...] = (
    (r"duplicat|sent twice|twice|double debit", CaseType.DUPLICATE),
    (r"fraud|scam|\bapp\b|tricked|not authori[sz]ed", CaseType.FRAUD_RECALL),
    (r"wrong (beneficiary|account|person|company)|misdirect", CaseType.WRONG_BENEFICIARY),
    (r"recall|cancel", CaseType.CANCELLATION_RECALL),
    (r"cover", CaseType.MISSING_COVER),
    (r"charge|fee", CaseType.CHARGES),
    (r"value date|\bvalue\b|interest|compensat", CaseType.VALUE_DATE),
    (r"sanction|screening|hold|compliance", CaseType.COMPLIANCE_HOLD),
    (r"return|give the money back", CaseType.RETURN_OF_FUNDS),
    (r"amend|modif|change[sd]? (it )?from|camt\.087", CaseType.AMENDMENT),
    (
        r"unable to apply|cannot apply|can't apply|do not match|missing (creditor|details)",
        CaseType.UNABLE_TO_APPLY,
    ),
    (
        r"never (arrived|came)|not (been )?(received|credited)|non-receipt|still waiting",
        CaseType.CLAIM_NON_RECEIPT,
    ),
    (r"where is|status|chasing", CaseType.STATUS_CHASER),
)
KEYWORD_CONFIDENCE = 0.5  # a keyword hit is a guess, not a calibrated probability
CHOICES = 3


class TextClassifier(Protocol):
    """What the agent needs of ``agent.classifier.CaseClassifier``."""

    def predict(self, text: str) -> Any: ...


@dataclass(frozen=True)
class TextIntent:
    """The case type the words suggest, with a probability per case type where the source has one."""

    case_type: CaseType
    confidence: float
    source: str  # "trained" | "llm" | "keywords"
    probabilities: dict[str, float] = field(default_factory=dict)
    version: str | None = None
    threshold: float = 0.0


@dataclass(frozen=True)
class CaseDecision:
    """The case type of the turn and why."""

    case_type: CaseType
    source: str  # "analyst" | "rule" | "trained" | "llm" | "keywords" | "open_case" | "ask"
    confidence: float
    rule: str | None = None
    why: str = ""
    evidence_ids: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # non-empty: the analyst is asked to pick

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_type": self.case_type.value,
            "source": self.source,
            "confidence": round(self.confidence, 3),
            "rule": self.rule,
            "why": self.why,
            "evidence_ids": self.evidence_ids,
            "choices": self.choices,
        }


def keyword_intent(message: str, has_reference: bool) -> TextIntent:
    lowered = message.lower()
    for pattern, case_type in _KEYWORDS:
        if re.search(pattern, lowered):
            return TextIntent(case_type, KEYWORD_CONFIDENCE, "keywords", threshold=KEYWORD_CONFIDENCE)
    fallback = CaseType.STATUS_CHASER if has_reference else CaseType.GENERAL
    return TextIntent(fallback, 0.0, "keywords", threshold=KEYWORD_CONFIDENCE)


def load_text_classifier(settings: Any) -> TextClassifier | None:
    """The trained classifier (trained at first use, deterministic)."""
    from agent.classifier import CaseClassifier

    return CaseClassifier.load_or_train(settings)  # type: ignore[no-any-return,unused-ignore]


def classifier_threshold() -> float:
    from agent.classifier import CONFIDENCE_THRESHOLD

    return float(CONFIDENCE_THRESHOLD)


async def trained_intent(classifier: TextClassifier, message: str) -> TextIntent:
    """Predict off the event loop (the embedding costs ~20 ms of CPU)."""
    pred = await asyncio.to_thread(classifier.predict, message)
    return TextIntent(
        CaseType(str(getattr(pred, "case_type", "general"))),
        float(getattr(pred, "confidence", 0.0)),
        "trained",
        {str(k): float(v) for k, v in (getattr(pred, "probabilities", None) or {}).items()},
        getattr(pred, "version", None),
        classifier_threshold(),
    )


def _choices(intent: TextIntent, extra: list[CaseType]) -> list[str]:
    ranked = sorted(intent.probabilities.items(), key=lambda kv: -kv[1])
    names = [c.value for c in extra] + [intent.case_type.value] + [k for k, _ in ranked]
    return [n for n in dict.fromkeys(names) if n in CaseType._value2member_map_][:CHOICES]


def decide_case_type(
    intent: TextIntent, view: EvidenceView, chosen: CaseType | None = None, *, has_payment: bool = True
) -> CaseDecision:
    """Combine the analyst's choice, the evidence rules, the text prediction and the open case."""
    if chosen is not None:
        return CaseDecision(chosen, "analyst", 1.0, why="picked by the analyst")
    hit = evidence_rule(intent.case_type, view)
    if hit is not None:
        return CaseDecision(hit.case_type, "rule", 1.0, hit.rule, hit.why, hit.evidence_ids)
    confident = intent.confidence >= intent.threshold and intent.confidence > 0
    if confident:
        return CaseDecision(intent.case_type, intent.source, intent.confidence, why="from the wording")
    case_hit = confirmed_fraud(view, _choices(intent, [])) or open_case_type(view)
    if case_hit is not None:
        return CaseDecision(
            case_hit.case_type,
            "rule" if case_hit.rule.startswith("R8") else "open_case",
            intent.confidence,
            case_hit.rule,
            case_hit.why,
            case_hit.evidence_ids,
        )
    if not has_payment and intent.case_type == CaseType.GENERAL:
        return CaseDecision(CaseType.GENERAL, intent.source, intent.confidence, why="no payment named")
    return CaseDecision(
        intent.case_type,
        "ask",
        intent.confidence,
        why="the wording does not say clearly which case this is",
        choices=_choices(intent, []),
    )
