"""Per case type: the mandatory checks (reads + procedure retrieval) and the rules that map evidence to actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.facts import duplicate_candidates, ok_items, tracker_summary
from tools.domain import ActionKind, CaseType


@dataclass(frozen=True)
class Candidate:
    """An action the evidence supports, before validation and drafting."""

    kind: ActionKind
    args: dict[str, Any]
    reason_code: str
    evidence_ids: list[str]
    explanation: str


Rule = Callable[[str, list[dict[str, Any]]], list[Candidate]]


@dataclass(frozen=True)
class Playbook:
    """The SOP-mandated checks of one case type and its decision rule."""

    case_type: CaseType
    mandatory_reads: tuple[str, ...]
    query: str
    allowed: dict[ActionKind, tuple[str, ...]] = field(default_factory=dict)
    rule: Rule | None = None

    def decide(self, target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        return [c for c in (self.rule(target, evidence) if self.rule else []) if self.allows(c)]

    def allows(self, candidate: Candidate) -> bool:
        codes = self.allowed.get(candidate.kind)
        return codes is not None and candidate.reason_code in codes


def _tracker(evidence: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    items = ok_items(evidence, "get_tracker")
    return (tracker_summary(items[0].get("data")), [items[0]["id"]]) if items else ({}, [])


def _payment_ev(evidence: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in ok_items(evidence, "get_payment")][:1]


def _investigation(code: str, statuses: tuple[str, ...], reasons: tuple[str, ...] | None) -> Rule:
    """camt.110 of type ``code`` to the agent holding the payment when the tracker says ACSP/<reason>."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        if tracker.get("status") not in statuses or (reasons and tracker.get("reason") not in reasons):
            return []
        args = {"reference": target, "investigation_type": code}
        if tracker.get("agent_bic"):
            args["assignee_bic"] = tracker["agent_bic"]
        why = f"tracker {tracker.get('status')}/{tracker.get('reason')} at {tracker.get('agent_bic') or 'unknown agent'}"
        return [Candidate(ActionKind.INVESTIGATION, args, code, _payment_ev(evidence) + ids, why)]

    return rule


def _recall(code: str, *, needs_duplicate: bool = False) -> Rule:
    """camt.056 with reason ``code``; never for a rejected payment; DUPL only with a duplicate found."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        if tracker.get("status") == "RJCT":
            return []
        dup_ids: list[str] = []
        if needs_duplicate:
            items = [i for i in ok_items(evidence, "find_duplicates") if duplicate_candidates(i.get("data"))]
            if not items:
                return []
            dup_ids = [items[0]["id"]]
        args = {"reference": target, "reason_code": code}
        return [Candidate(ActionKind.RECALL, args, code, _payment_ev(evidence) + ids + dup_ids, f"recall {code}")]

    return rule


_READS = ("get_payment", "get_tracker")
_INV_CODES = ("CCNR", "CONR", "UTAP", "RQCH", "RQVA", "RQFI")
_RECALL_CODES = ("DUPL", "FRAD", "CUST", "AC03", "AM09", "TECH", "UAPA")

PLAYBOOKS: dict[CaseType, Playbook] = {
    pb.case_type: pb
    for pb in (
        Playbook(CaseType.CLAIM_NON_RECEIPT, _READS, "claim non-receipt beneficiary not credited",
                 {ActionKind.INVESTIGATION: ("CCNR", "CONR")},
                 _investigation("CCNR", ("ACSP",), ("G001", "G002"))),
        Playbook(CaseType.STATUS_CHASER, _READS, "status enquiry where is the payment tracker",
                 {ActionKind.INVESTIGATION: ("CCNR",)}, _investigation("CCNR", ("ACSP",), ("G001", "G002"))),
        Playbook(CaseType.MISSING_COVER, _READS, "missing cover funds G004",
                 {ActionKind.INVESTIGATION: ("CONR",)}, _investigation("CONR", ("ACSP",), ("G004",))),
        Playbook(CaseType.CANCELLATION_RECALL, (*_READS, "find_duplicates"), "cancellation recall request camt.056",
                 {ActionKind.RECALL: _RECALL_CODES}, _recall("CUST")),
        Playbook(CaseType.DUPLICATE, ("get_payment", "find_duplicates"), "duplicate payment recall DUPL",
                 {ActionKind.RECALL: ("DUPL",)}, _recall("DUPL", needs_duplicate=True)),
        Playbook(CaseType.FRAUD_RECALL, (*_READS, "get_risk_signals"), "fraud recall APP scam reimbursement",
                 {ActionKind.RECALL: ("FRAD", "UAPA")}, _recall("FRAD")),
        Playbook(CaseType.WRONG_BENEFICIARY, _READS, "wrong beneficiary misdirected payment recall",
                 {ActionKind.RECALL: ("AC03", "CUST")}, _recall("AC03")),
        Playbook(CaseType.RETURN_OF_FUNDS, _READS, "return of funds pacs.004", {}),
        Playbook(CaseType.AMENDMENT, _READS, "amendment modify payment details", {}),
        Playbook(CaseType.UNABLE_TO_APPLY, _READS, "unable to apply missing creditor details",
                 {ActionKind.INVESTIGATION: ("UTAP",)}, _investigation("UTAP", ("ACSP", "ACCC"), None)),
        Playbook(CaseType.CHARGES, _READS, "charges query deducted fees",
                 {ActionKind.INVESTIGATION: ("RQCH",)}, _investigation("RQCH", ("ACSP", "ACCC"), None)),
        Playbook(CaseType.VALUE_DATE, _READS, "value date compensation interest",
                 {ActionKind.INVESTIGATION: ("RQVA",)}, _investigation("RQVA", ("ACCC",), None)),
        Playbook(CaseType.COMPLIANCE_HOLD, (*_READS, "get_screening"), "compliance hold request for information",
                 {ActionKind.INVESTIGATION: ("RQFI",)}, _investigation("RQFI", ("ACSP",), ("G003",))),
        Playbook(CaseType.GENERAL, (), "", {}),
    )
}
assert set(PLAYBOOKS) == set(CaseType), "every case type needs a playbook"
assert all(set(pb.allowed.get(ActionKind.INVESTIGATION, ())) <= set(_INV_CODES) for pb in PLAYBOOKS.values())


def playbook_for(case_type: str | CaseType) -> Playbook:
    """The playbook of a case type (GENERAL for anything unknown)."""
    try:
        return PLAYBOOKS[CaseType(case_type)]
    except ValueError:
        return PLAYBOOKS[CaseType.GENERAL]


def missing_checks(playbook: Playbook, target: str, evidence: list[dict[str, Any]], available: tuple[str, ...]) -> list[str]:
    """Mandatory reads of ``target`` that did not succeed (the playbook blocks proposals until none are missing)."""
    missing = []
    for tool in playbook.mandatory_reads:
        if tool not in available:
            continue
        done = any(
            item.get("tool") == tool and item.get("ok") and target in item.get("refs", [])
            for item in evidence
        )
        if not done:
            missing.append(tool)
    return missing
