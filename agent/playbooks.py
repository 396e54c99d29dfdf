"""Per case type: the mandatory checks (reads + procedure retrieval) and the rules that map evidence to actions.

Rules read only structured tool results (statuses, reason codes, flags): free text in the message, the
remittance information or the SOPs can never create a proposal or choose its target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.facts import duplicate_candidates, ok_items, payment_id_of, payment_of, pick, tracker_summary
from core.domain import ActionKind, CaseType


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
    derived_reads: tuple[str, ...] = ()  # reads whose arguments come from the payment found (account, payee)

    def decide(self, target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        return [c for c in (self.rule(target, evidence) if self.rule else []) if self.allows(c)]

    def allows(self, candidate: Candidate) -> bool:
        codes = self.allowed.get(candidate.kind)
        return codes is not None and candidate.reason_code in codes


def _first(evidence: list[dict[str, Any]], tool: str) -> tuple[Any, list[str]]:
    items = ok_items(evidence, tool)
    return (items[0].get("data"), [items[0]["id"]]) if items else (None, [])


def _tracker(evidence: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    data, ids = _first(evidence, "get_tracker")
    return (tracker_summary(data), ids) if ids else ({}, [])


def _payment_ev(evidence: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in ok_items(evidence, "get_payment")][:1]


def _mentions(evidence: list[dict[str, Any]], tool: str, *needles: str) -> list[str]:
    """Evidence ids of ``tool`` results whose structured data contains one of the codes."""
    return [i["id"] for i in ok_items(evidence, tool) if any(n in str(i.get("data")) for n in needles)]


def _investigation(
    code: str, statuses: tuple[str, ...], reasons: tuple[str, ...] | None, reason_code: str | None = None
) -> Rule:
    """camt.110 of type ``code`` to the agent holding the payment when the tracker matches."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        if tracker.get("status") not in statuses or (reasons and tracker.get("reason") not in reasons):
            return []
        args: dict[str, Any] = {"reference": target, "investigation_type": code}
        if reason_code:
            args["reason_code"] = reason_code
        if tracker.get("agent_bic"):
            args["responder_bic"] = tracker["agent_bic"]
        why = f"tracker {tracker.get('status')}/{tracker.get('reason')} at {tracker.get('agent_bic') or 'unknown agent'}"
        return [Candidate(ActionKind.INVESTIGATION, args, code, _payment_ev(evidence) + ids, why)]

    return rule


def _claim(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    tracker, _ = _tracker(evidence)
    if tracker.get("reason") == "G004":
        return _investigation("CONR", ("ACSP",), ("G004",))(target, evidence)
    return _investigation("CCNR", ("ACSP",), ("G001", "G002"))(target, evidence)


def _recall_code(evidence: list[dict[str, Any]], default: str) -> tuple[str, list[str]]:
    dups = [i["id"] for i in ok_items(evidence, "find_duplicates") if duplicate_candidates(i.get("data"))]
    if dups:
        return "DUPL", dups
    risky = [i["id"] for i in ok_items(evidence, "get_risk_signals") if pick(i.get("data"), "flags")]
    return (default if default in ("FRAD", "UAPA") or not risky else "FRAD"), risky


def _recall(default: str, *, needs_duplicate: bool = False) -> Rule:
    """camt.056: DUPL when a duplicate was found, FRAD on risk flags, else ``default``; never when rejected."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        payment, _ = _first(evidence, "get_payment")
        if tracker.get("status") == "RJCT" or pick(payment or {}, "status") == "RJCT":
            return []
        if _mentions(evidence, "get_cases", "RJCR", "AM05", "pacs.004"):  # already answered or returned
            return []
        code, extra = _recall_code(evidence, default)
        if needs_duplicate and code != "DUPL":
            return []
        if code == "DUPL":
            target = _later_of_pair(target, payment, evidence)
        args = {"reference": target, "reason_code": code}
        return [
            Candidate(ActionKind.RECALL, args, code, _payment_ev(evidence) + ids + extra, f"recall {code}")
        ]

    return rule


def _later_of_pair(target: str, payment: Any, evidence: list[dict[str, Any]]) -> str:
    """The duplicate to recall is the later of the pair (by creation time), as the reads show it."""
    pairs = [(str(pick(payment_of(payment or {}), "created_at") or ""), target)]
    for item in ok_items(evidence, "find_duplicates"):
        for cand in duplicate_candidates(item.get("data")):
            if payment_id_of(cand) and pick(cand, "created_at"):
                pairs.append((str(cand["created_at"]), payment_id_of(cand) or target))
    return max(pairs)[1] if all(created for created, _ in pairs) else target


def _return_funds(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    account, ids = _first(evidence, "get_account")
    status = str(pick(account or {}, "status") or "").lower()
    code = {"closed": "AC04", "blocked": "AC06"}.get(status)
    if code is None:
        ids = _mentions(evidence, "get_cases", "camt.056", "CNCL", "cancellation")
        code = "FOCR" if ids else None
    if code is None:
        return []
    return [
        Candidate(
            ActionKind.RETURN_FUNDS,
            {"reference": target, "reason_code": code},
            code,
            _payment_ev(evidence) + ids,
            f"return of funds {code}",
        )
    ]


def _wrong_beneficiary(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    data, _ = _first(evidence, "verify_payee")
    if pick(data or {}, "result") != "no_match":
        return []
    return _recall("AC03")(target, evidence)


def _compliance_hold(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    tracker, ids = _tracker(evidence)
    if tracker.get("status") != "ACSP" or tracker.get("reason") != "G003":
        return []
    sanctions = _mentions(evidence, "get_screening", "SANC", "OFAC", "sanction", "SDN")
    sub_type = "SANC" if sanctions else "AMLI"
    args = {
        "reference": target,
        "reason_code": "RQDO",
        "sub_type": sub_type,
        "questions": "Please tell us which documents or information you need to release this payment.",
    }
    return [
        Candidate(
            ActionKind.REQUEST_INFO,
            args,
            sub_type,
            _payment_ev(evidence) + ids + sanctions,
            f"held ACSP/G003 at {tracker.get('agent_bic')}: request for information ({sub_type})",
        )
    ]


def _charges(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    payment, _ = _first(evidence, "get_payment")
    tracker, ids = _tracker(evidence)
    if pick(payment or {}, "charge_bearer") != "DEBT" or not tracker.get("charged_by"):
        return []
    args = {
        "reference": target,
        "investigation_type": "RQCH",
        "reason_code": "CHBE",
        "responder_bic": tracker["charged_by"][-1],
    }
    return [
        Candidate(
            ActionKind.INVESTIGATION,
            args,
            "RQCH",
            _payment_ev(evidence) + ids,
            f"charge bearer OUR but {tracker['charged_by'][-1]} deducted charges",
        )
    ]


def _value_date(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    data, ids = _first(evidence, "compute_compensation")
    try:
        owed = float(pick(data or {}, "interest") or 0) > 0
    except (TypeError, ValueError):
        owed = False
    if not owed:
        return []
    args = {"reference": target, "investigation_type": "RQVA", "reason_code": "VADA"}
    return [
        Candidate(
            ActionKind.INVESTIGATION,
            args,
            "RQVA",
            _payment_ev(evidence) + ids,
            "value date compensation owed",
        )
    ]


_READS = ("get_payment", "get_tracker")

PLAYBOOKS: dict[CaseType, Playbook] = {
    pb.case_type: pb
    for pb in (
        Playbook(
            CaseType.CLAIM_NON_RECEIPT,
            (*_READS, "get_cases"),
            "claim non-receipt beneficiary not credited",
            {ActionKind.INVESTIGATION: ("CCNR", "CONR")},
            _claim,
        ),
        Playbook(
            CaseType.STATUS_CHASER,
            _READS,
            "status enquiry where is the payment tracker",
            {ActionKind.INVESTIGATION: ("CCNR",)},
            _investigation("CCNR", ("ACSP",), ("G001", "G002")),
        ),
        Playbook(
            CaseType.MISSING_COVER,
            _READS,
            "missing cover funds G004",
            {ActionKind.INVESTIGATION: ("CONR",)},
            _investigation("CONR", ("ACSP",), ("G004",)),
        ),
        Playbook(
            CaseType.CANCELLATION_RECALL,
            (*_READS, "find_duplicates", "get_cases"),
            "cancellation recall request camt.056",
            {ActionKind.RECALL: ("DUPL", "FRAD", "CUST", "AC03", "AM09", "TECH", "UAPA")},
            _recall("CUST"),
        ),
        Playbook(
            CaseType.DUPLICATE,
            ("get_payment", "find_duplicates", "get_cases"),
            "duplicate payment recall DUPL",
            {ActionKind.RECALL: ("DUPL",)},
            _recall("DUPL", needs_duplicate=True),
        ),
        Playbook(
            CaseType.FRAUD_RECALL,
            (*_READS, "get_risk_signals"),
            "fraud recall APP scam reimbursement",
            {ActionKind.RECALL: ("FRAD", "UAPA")},
            _recall("FRAD"),
        ),
        Playbook(
            CaseType.WRONG_BENEFICIARY,
            _READS,
            "wrong beneficiary misdirected payment recall",
            {ActionKind.RECALL: ("AC03", "CUST")},
            _wrong_beneficiary,
            derived_reads=("verify_payee",),
        ),
        Playbook(
            CaseType.RETURN_OF_FUNDS,
            ("get_payment", "get_cases"),
            "return of funds pacs.004",
            {ActionKind.RETURN_FUNDS: ("AC04", "AC06", "FOCR")},
            _return_funds,
            derived_reads=("get_account",),
        ),
        Playbook(CaseType.AMENDMENT, _READS, "amendment modify payment details", {}),
        Playbook(
            CaseType.UNABLE_TO_APPLY,
            _READS,
            "unable to apply missing creditor details",
            {ActionKind.INVESTIGATION: ("UTAP",)},
            _investigation("UTAP", ("ACSP",), ("G002",)),
            derived_reads=("get_account",),
        ),
        Playbook(
            CaseType.CHARGES,
            _READS,
            "charges query deducted fees",
            {ActionKind.INVESTIGATION: ("RQCH",)},
            _charges,
        ),
        Playbook(
            CaseType.VALUE_DATE,
            ("get_payment",),
            "value date compensation interest cut-off",
            {ActionKind.INVESTIGATION: ("RQVA",)},
            _value_date,
        ),
        Playbook(
            CaseType.COMPLIANCE_HOLD,
            (*_READS, "get_screening"),
            "compliance hold request for information",
            {ActionKind.REQUEST_INFO: ("SANC", "AMLI")},
            _compliance_hold,
        ),
        Playbook(CaseType.GENERAL, (), "", {}),
    )
}
assert set(PLAYBOOKS) == set(CaseType), "every case type needs a playbook"


def playbook_for(case_type: str | CaseType) -> Playbook:
    """The playbook of a case type (GENERAL for anything unknown)."""
    try:
        return PLAYBOOKS[CaseType(case_type)]
    except ValueError:
        return PLAYBOOKS[CaseType.GENERAL]


def missing_checks(
    playbook: Playbook, target: str, evidence: list[dict[str, Any]], available: tuple[str, ...]
) -> list[str]:
    """Mandatory reads of ``target`` that did not succeed (the playbook blocks proposals until none are missing)."""
    missing = []
    for tool in playbook.mandatory_reads:
        if tool not in available:
            continue
        if not any(i.get("tool") == tool and i.get("ok") and target in i.get("refs", []) for i in evidence):
            missing.append(tool)
    return missing


def derived_args(tool: str, payment: dict[str, Any]) -> dict[str, Any] | None:
    """Arguments of a derived read taken from the payment the reads found (never from free text)."""
    account = pick(payment, "creditor_account", "creditor_iban")
    if tool == "get_account" and account:
        return {"account": account}
    if tool == "verify_payee" and account and pick(payment, "creditor_name"):
        return {"account": account, "name": payment["creditor_name"]}
    return None


__all__ = [
    "PLAYBOOKS",
    "Candidate",
    "Playbook",
    "derived_args",
    "missing_checks",
    "payment_id_of",
    "playbook_for",
]
