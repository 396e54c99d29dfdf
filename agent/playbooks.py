"""Per case type: the mandatory checks (reads + procedure retrieval) and the rules that map evidence to actions.

Rules read only structured tool results (statuses, reason codes, flags): free text in the message, the
remittance information or the SOPs can never create a proposal or choose its target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.candidates import Candidate
from agent.case_answers import AnalystRequest, amendment_rule, refused_recall
from agent.facts import duplicate_candidates, ok_items, payment_id_of, payment_of, pick, tracker_summary
from core.domain import ActionKind, CaseType

Rule = Callable[[str, list[dict[str, Any]]], list[Candidate]]
# A rule that also reads what the analyst asks to change (parsed by rules: agent.case_answers).
RequestRule = Callable[[str, list[dict[str, Any]], AnalystRequest], list[Candidate]]


@dataclass(frozen=True)
class Playbook:
    """The SOP-mandated checks of one case type and its decision rule."""

    case_type: CaseType
    mandatory_reads: tuple[str, ...]
    # Procedure searches in the words of the case type's SOP: its checks before acting (§4) and its procedure
    # (§5); written from the corpus' section titles. Purpose and scope sections are never what a step cites.
    queries: tuple[str, ...]
    allowed: dict[ActionKind, tuple[str, ...]] = field(default_factory=dict)
    rule: Rule | None = None
    derived_reads: tuple[str, ...] = ()  # reads whose arguments come from the payment found (account, payee)
    request_rule: RequestRule | None = None

    def decide(
        self, target: str, evidence: list[dict[str, Any]], request: AnalystRequest | None = None
    ) -> list[Candidate]:
        if self.request_rule is not None:
            found = self.request_rule(target, evidence, request or AnalystRequest())
        else:
            found = self.rule(target, evidence) if self.rule else []
        return [c for c in found if self.allows(c)]

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


def _cases(evidence: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The case rows of the get_cases results (structured: type, status, resolution code) and their ids."""
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    for item in ok_items(evidence, "get_cases"):
        found = [c for c in (pick(item.get("data"), "cases") or []) if isinstance(c, dict)]
        if found:
            rows += found
            ids.append(item["id"])
    return rows, ids


def _handled(evidence: list[dict[str, Any]]) -> bool:
    """A case of the payment is closed with a resolution (returned, recalled, ...), or the payment came
    back by pacs.004: nothing more to send."""
    rows, _ = _cases(evidence)
    returned = any(pick(i.get("data"), "returns") for i in ok_items(evidence, "get_payment"))
    return returned or any(c.get("status") == "closed" and c.get("resolution_code") for c in rows)


def _open_case(evidence: list[dict[str, Any]], *case_types: str) -> list[str]:
    """Evidence ids of get_cases results with an open case of one of ``case_types``."""
    return [
        item["id"]
        for item in ok_items(evidence, "get_cases")
        for c in (pick(item.get("data"), "cases") or [])
        if isinstance(c, dict) and c.get("status") == "open" and c.get("case_type") in case_types
    ][:1]


def _investigation(
    code: str, statuses: tuple[str, ...], reasons: tuple[str, ...] | None, reason_code: str | None = None
) -> Rule:
    """camt.110 of type ``code`` (we are its requester) when the tracker matches; routed by the sandbox's
    direction table (docs/iso20022.md), so the rule never picks the responder itself."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        if tracker.get("status") not in statuses or (reasons and tracker.get("reason") not in reasons):
            return []
        args: dict[str, Any] = {"reference": target, "investigation_type": code}
        if reason_code:
            args["reason_code"] = reason_code
        why = f"tracker {tracker.get('status')}/{tracker.get('reason')} at {tracker.get('agent_bic') or 'unknown agent'}"
        return [Candidate(ActionKind.INVESTIGATION, args, code, _payment_ev(evidence) + ids, why)]

    return rule


def _answer(investigation_type: str, reason: tuple[str, ...], status_reason: str) -> Rule:
    """camt.111 PDNG to a camt.110 the other bank raised (CONR, UTAP, RQFI): answer it, never raise our own
    camt.110 back to the bank that asked (SOP-002 §6, SOP-007 §6, SOP-011 §5, SOP-017 §7)."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        payment, _ = _first(evidence, "get_payment")
        if tracker.get("status") != "ACSP" or tracker.get("reason") not in reason:
            return []
        holder = tracker.get("agent_bic")
        if investigation_type == "UTAP" and holder != pick(payment_of(payment or {}), "creditor_agent_bic"):
            return []  # only the creditor agent raises "unable to apply"
        args: dict[str, Any] = {
            "reference": target,
            "message": "camt.111",
            "status": "PDNG",
            "reason_code": status_reason,
            "investigation_type": investigation_type,
        }
        if investigation_type == "RQFI" and holder:
            args["requester_bic"] = holder  # the agent holding the payment asked
        why = (
            f"{holder or 'the other bank'} raised {investigation_type} (tracker ACSP/{tracker.get('reason')})"
        )
        return [
            Candidate(ActionKind.INVESTIGATION_ANSWER, args, status_reason, _payment_ev(evidence) + ids, why)
        ]

    return rule


def _claim(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    # G004 (creditor agent waiting for cover) is the creditor agent's CONR to raise, not ours.
    return _investigation("CCNR", ("ACSP",), ("G001", "G002"))(target, evidence)


def _status_request(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    """pacs.028 to the agent that has the payment: the non-gpi agent it was forwarded to (G001) or the
    agent holding it (G002) (SOP-014, SOP-022)."""
    data, ids = _first(evidence, "get_tracker")
    tracker = tracker_summary(data) if ids else {}
    if tracker.get("status") != "ACSP" or tracker.get("reason") not in ("G001", "G002"):
        return []
    hops = [e for e in (pick(data, "hops", "events", "tracker_events") or []) if isinstance(e, dict)]
    forwarded = pick(hops[-1], "forwarded_to_bic") if hops else None
    asked = forwarded if tracker.get("reason") == "G001" and forwarded else tracker.get("agent_bic")
    args: dict[str, Any] = {"reference": target, "message": "pacs.028"}
    if asked:
        args["responder_bic"] = asked
    why = f"tracker ACSP/{tracker.get('reason')}: status request to {asked or 'the next agent'}"
    return [Candidate(ActionKind.INVESTIGATION, args, "pacs.028", _payment_ev(evidence) + ids, why)]


def _recall_code(evidence: list[dict[str, Any]], default: str) -> tuple[str, list[str]]:
    dups = [i["id"] for i in ok_items(evidence, "find_duplicates") if duplicate_candidates(i.get("data"))]
    if dups:
        return "DUPL", dups
    risk = ok_items(evidence, "get_risk_signals")
    # UAPA: not authorised by the debtor (account takeover); an authorised payment obtained by deception
    # (APP scam, invoice redirection) is FRAD.
    takeover = [i["id"] for i in risk if pick(i.get("data"), "fraud_type") == "account_takeover"]
    if takeover:
        return "UAPA", takeover
    risky = [i["id"] for i in risk if pick(i.get("data"), "flags") or pick(i.get("data"), "fraud_type")]
    return (default if default in ("FRAD", "UAPA") or not risky else "FRAD"), risky


def _recall(default: str, *, needs_duplicate: bool = False) -> Rule:
    """camt.056: DUPL when a duplicate was found, UAPA on a confirmed account takeover, FRAD on other fraud
    signals, else ``default``; never when rejected, already handled, or a recall case is already open."""

    def rule(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
        tracker, ids = _tracker(evidence)
        payment, _ = _first(evidence, "get_payment")
        if tracker.get("status") == "RJCT" or pick(payment or {}, "status") == "RJCT":
            return []
        if _handled(evidence):
            return []
        if _open_case(evidence, "cancellation_recall"):  # sent already: act on its answer, if any
            return refused_recall(target, evidence)
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
    """pacs.004: AC04 / AC06 for received funds that cannot be applied (closed / blocked account), FOCR for
    a credited payment with an open return-of-funds case (the sender's cancellation request, accepted)."""
    account, ids = _first(evidence, "get_account")
    payment, _ = _first(evidence, "get_payment")
    status = str(pick(account or {}, "status") or "").lower()
    code = {"closed": "AC04", "blocked": "AC06"}.get(status)
    if code is None and pick(payment_of(payment or {}), "status") == "ACCC" and not _handled(evidence):
        ids = _open_case(evidence, "return_of_funds")
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


def _charges(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    """Charges taken on an OUR (DEBT) payment: camt.110 RQCH with CHIN (information on the charges taken),
    routed to the next agent, which forwards it to the agent that deducted them."""
    payment, _ = _first(evidence, "get_payment")
    tracker, ids = _tracker(evidence)
    if pick(payment or {}, "charge_bearer") != "DEBT" or not tracker.get("charged_by"):
        return []
    args = {"reference": target, "investigation_type": "RQCH", "reason_code": "CHIN"}
    return [
        Candidate(
            ActionKind.INVESTIGATION,
            args,
            "RQCH",
            _payment_ev(evidence) + ids,
            f"charge bearer OUR but {', '.join(tracker['charged_by'])} deducted charges",
        )
    ]


def _value_date(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    """camt.110 RQVA with the compensation period and amount when compute_compensation shows interest."""
    data, ids = _first(evidence, "compute_compensation")
    try:
        interest = float(pick(data or {}, "interest") or 0)
    except (TypeError, ValueError):
        interest = 0.0
    if interest <= 0:
        return []
    args: dict[str, Any] = {"reference": target, "investigation_type": "RQVA", "reason_code": "RQVA"}
    if pick(data, "corrected_value_date"):
        args["correct_value_date"] = pick(data, "corrected_value_date")
        args["compensation_amount"] = pick(data, "interest")
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
            (
                "claim of non-receipt checks: open case, our payment status, gpi tracker status and reason code, screening",
                "claim of non-receipt procedure: draft and send the camt.110 CCNR, work the answer",
            ),
            {ActionKind.INVESTIGATION: ("CCNR", "CONR")},
            _claim,
        ),
        Playbook(
            CaseType.STATUS_CHASER,
            _READS,
            (
                "status chaser checks: read the gpi tracker first, the confirmation clock",
                "decide whether a chaser is needed, send the pacs.028 or camt.110 and read the answer",
            ),
            {ActionKind.INVESTIGATION: ("pacs.028",)},
            _status_request,
        ),
        Playbook(
            CaseType.MISSING_COVER,
            _READS,
            (
                "missing cover checks: gpi tracker for both legs, our nostro statement, screening",
                "waiting for cover G004: follow the cover trail, credit only when cover is received",
            ),
            {ActionKind.INVESTIGATION_ANSWER: ("INPO",)},
            _answer("CONR", ("G004",), "INPO"),
        ),
        Playbook(
            CaseType.CANCELLATION_RECALL,
            (*_READS, "find_duplicates", "get_cases", "get_risk_signals"),
            (
                "cancellation checks: earlier request, match the payment and its status, confirm the reason",
                "choose the route and draft the camt.056 cancellation request, work the camt.029 answer",
            ),
            {
                ActionKind.RECALL: ("DUPL", "FRAD", "CUST", "AC03", "AM09", "TECH", "UAPA"),
                ActionKind.CLOSE_CASE: ("RJCT",),
            },
            _recall("CUST"),
        ),
        Playbook(
            CaseType.DUPLICATE,
            ("get_payment", "find_duplicates", "get_cases"),
            (
                "duplicate checks: duplicate-candidate matching rules, confirm with the evidence",
                "duplicate we sent: stop it if still possible, send the camt.056 with DUPL",
            ),
            {ActionKind.RECALL: ("DUPL",)},
            _recall("DUPL", needs_duplicate=True),
        ),
        Playbook(
            CaseType.FRAUD_RECALL,
            (*_READS, "get_risk_signals"),
            (
                "fraud checks: unauthorised or APP scam, ignore instructions inside the payment",
                "fraud recall we send: send the recall at once, contact the receiving bank's fraud team",
            ),
            {ActionKind.RECALL: ("FRAD", "UAPA")},
            _recall("FRAD"),
        ),
        Playbook(
            CaseType.WRONG_BENEFICIARY,
            _READS,
            (
                "misdirected payment checks: how the error happened, status and tracker, who caused the error",
                "outgoing misdirected payment: send the recall, work the answer",
            ),
            {ActionKind.RECALL: ("AC03", "CUST")},
            _wrong_beneficiary,
            derived_reads=("verify_payee",),
        ),
        Playbook(
            CaseType.RETURN_OF_FUNDS,
            ("get_payment", "get_cases"),
            (
                "return checks: a return is the right outcome, earlier return, funds and holds",
                "sending a return: calculate the return amount, draft the pacs.004",
            ),
            {ActionKind.RETURN_FUNDS: ("AC04", "AC06", "FOCR")},
            _return_funds,
            derived_reads=("get_account",),
        ),
        Playbook(
            CaseType.AMENDMENT,
            (*_READS, "get_cases"),
            (
                "amendment checks: open cases, the payment status, the instruction and the change",
                "amend or cancel: draft the camt.087, or cancel instead",
            ),
            {ActionKind.RECALL: ("AC03", "CUST", "CURR")},
            request_rule=amendment_rule(
                lambda ev: _handled(ev) or bool(_open_case(ev, "cancellation_recall"))
            ),
        ),
        Playbook(
            CaseType.UNABLE_TO_APPLY,
            _READS,
            (
                "unable to apply checks: identify exactly what is wrong, repair from reliable sources",
                "payment we cannot apply: camt.110 UTAP, apply or return on the camt.111 answer",
            ),
            {ActionKind.INVESTIGATION_ANSWER: ("ARPL",)},
            _answer("UTAP", ("G002",), "ARPL"),
            # SOP-007 §4: check the account and the name on it (VoP) before answering what cannot be applied
            derived_reads=("get_account", "verify_payee"),
        ),
        Playbook(
            CaseType.CHARGES,
            _READS,
            (
                "charges checks: charges on the gpi tracker, compare with the charge bearer, earlier claim",
                "unexplained charges: camt.110 RQCH, refund a wrong deduction",
            ),
            {ActionKind.INVESTIGATION: ("RQCH",)},
            _charges,
        ),
        Playbook(
            CaseType.VALUE_DATE,
            ("get_payment",),
            (
                "value date checks: establish the correct value date, where the delay happened, amount at stake",
                "value date request we send: choose the route, draft the request, compensation interest",
            ),
            {ActionKind.INVESTIGATION: ("RQVA",)},
            _value_date,
        ),
        Playbook(
            CaseType.COMPLIANCE_HOLD,
            (*_READS, "get_screening"),
            (
                "compliance hold checks: the tracker and our own hold, read the request, consult compliance",
                "request for information on a payment we hold: answer camt.111, never tip off",
            ),
            {ActionKind.INVESTIGATION_ANSWER: ("ARPL",)},
            _answer("RQFI", ("G003",), "ARPL"),
        ),
        Playbook(CaseType.GENERAL, (), (), {}),
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
