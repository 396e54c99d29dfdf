"""Evidence rules for the case type: structured fields of the reads correct or confirm the text's intent.

The analyst's words say what they want (a claim, a recall, a question about charges); the evidence says what
the payment is (rejected, held for screening, waiting for cover, credited to a closed account). Each rule
reads only structured fields (statuses, reason codes, account status, hold flags, case types of open cases),
never free text. The table in docs/agent.md lists every rule; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.evidence import EvidenceView, tracker_status
from core.domain import CaseType

C = CaseType
# Intents that ask where a payment is or why it has not arrived: the evidence decides which case it is.
WHERE_INTENTS = frozenset(
    {C.CLAIM_NON_RECEIPT, C.STATUS_CHASER, C.MISSING_COVER, C.COMPLIANCE_HOLD, C.UNABLE_TO_APPLY, C.GENERAL}
)
# Intents a closed or blocked creditor account turns into a return of funds (an incoming payment to apply).
_RETURN_INTENTS = WHERE_INTENTS | {C.RETURN_OF_FUNDS, C.CANCELLATION_RECALL, C.AMENDMENT}


@dataclass(frozen=True)
class RuleHit:
    """A rule that decided the case type, with the evidence ids it read."""

    rule: str
    case_type: CaseType
    evidence_ids: list[str]
    why: str


def _ids(*pairs: tuple[object, str] | None) -> list[str]:
    return [p[1] for p in pairs if p is not None]


def evidence_rule(intent: CaseType, view: EvidenceView) -> RuleHit | None:
    """The first rule (in the documented order) whose structured conditions hold for this intent."""
    if view.payment is None:
        return None
    tracker, account, screening = view.tracker(), view.account(), view.screening()
    status, reason, agent = tracker_status(tracker[0]) if tracker else (view.payment.status, None, None)
    status = status or view.payment.status
    reason = reason or view.payment.status_reason
    pay = (view.payment, view.payment_id or "")
    held = bool(screening and screening[0].summary.get("held"))

    # SOP-015 §4.4: any action on a held payment goes through Financial Crime Compliance, so while it is held the
    # case is the hold whatever the customer asks (a recall, a release); only a fraud recall keeps its own path
    # (it needs compliance's sign-off anyway).
    if intent != C.FRAUD_RECALL and ((reason == "G003" and status == "ACSP") or held):
        why = "tracker ACSP/G003 (compliance hold)" if reason == "G003" else "an active screening hold"
        return RuleHit("R1-compliance-hold", C.COMPLIANCE_HOLD, _ids(pay, tracker, screening), why)
    if intent in WHERE_INTENTS and status == "ACSP" and reason == "G004":
        why = f"tracker ACSP/G004 at {agent}: credit pending cover funds"
        return RuleHit("R2-missing-cover", C.MISSING_COVER, _ids(pay, tracker), why)
    if (
        intent in _RETURN_INTENTS
        and account
        and account[0].status in ("closed", "blocked")
        and status not in ("RJCT", "ACCC")
    ):
        why = f"creditor account {account[0].status} and the payment not yet applied ({status})"
        return RuleHit("R3-return-closed-account", C.RETURN_OF_FUNDS, _ids(pay, tracker, account), why)
    if intent in WHERE_INTENTS and status == "RJCT":
        why = f"tracker RJCT/{reason}: the claim is about a rejected payment"
        return RuleHit("R4-rejected-claim", C.CLAIM_NON_RECEIPT, _ids(pay, tracker), why)
    if intent in (C.MISSING_COVER, C.UNABLE_TO_APPLY, C.STATUS_CHASER) and status == "ACCC":
        why = "tracker ACCC: credited, so the customer disputes a credit (claim non-receipt)"
        if intent == C.STATUS_CHASER:
            return None  # "where is it" on a credited payment is a status answer, not a claim
        return RuleHit("R5-credited-disputed", C.CLAIM_NON_RECEIPT, _ids(pay, tracker), why)
    if intent == C.MISSING_COVER and reason != "G004":
        why = f"no G004 on the tracker ({status}/{reason}): not a cover problem"
        return RuleHit("R6-not-cover", C.CLAIM_NON_RECEIPT, _ids(pay, tracker), why)
    return None


def open_case_type(view: EvidenceView) -> RuleHit | None:
    """R7 (tie-break only): the case type of the payment's open investigation case."""
    cases = view.cases()
    if not cases:
        return None
    for case in cases[0].cases:
        if case.get("status") == "open":
            try:
                case_type = CaseType(str(case.get("case_type")))
            except ValueError:
                continue
            why = f"open case {case.get('id')} has case type {case_type.value}"
            return RuleHit("R7-open-case", case_type, [cases[1]], why)
    return None


def confirmed_fraud(view: EvidenceView, candidates: list[str]) -> RuleHit | None:
    """R8 (tie-break only): the fraud team confirmed a fraud type on the payment and the wording allows a
    fraud recall (it is among the classifier's candidates): the case is the fraud recall (SOP-013)."""
    risk = view.risk()
    if risk is None or not risk[0].fraud_type or C.FRAUD_RECALL.value not in candidates:
        return None
    why = f"the fraud team confirmed {risk[0].fraud_type} on the payment"
    return RuleHit("R8-confirmed-fraud", C.FRAUD_RECALL, [risk[1]], why)
