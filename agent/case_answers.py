"""Decision rules for cases whose counterparty already answered, and for amendment requests (SOP-003, SOP-006).

Like every playbook rule they read structured fields only: the case's ``answer_status`` / ``answer_reason``
(the camt.029 received) and, for an amendment, the change the analyst asks for as parsed by
``requested_changes`` (ISO currency codes in the request), never the case summary or remittance text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.candidates import Candidate
from agent.facts import ok_items, payment_of, pick, tracker_summary
from agent.references import is_currency
from core.domain import ActionKind


@dataclass(frozen=True)
class AnalystRequest:
    """What the analyst asks to change, parsed by rules from the message (no model involved)."""

    changes: frozenset[str] = field(default_factory=frozenset)
    error: bool = False  # the analyst says the current value is wrong (an error), not a change of mind


# "to EUR", "into eur", "in EUR": the target currency of a change; an upper-case code anywhere counts too.
_TARGET_CURRENCY = re.compile(r"\b(?:to|into|in)\s+([A-Za-z]{3})\b")
_UPPER_CODE = re.compile(r"\b([A-Z]{3})\b")
_CURRENCY_WORD = re.compile(r"\b(?:currency|currencies|ccy)\b", re.IGNORECASE)
# Written in lower case ("in eur") only the major currencies count: "in all", "to try" are English words.
_LOWER_OK = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CAD",
        "AUD",
        "NZD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "SGD",
        "HKD",
        "CNY",
        "INR",
        "ZAR",
        "MXN",
    ]
)
_ERROR_WORD = re.compile(r"\b(?:wrong|incorrect|mistake|mistakenly|error|erroneous)\b", re.IGNORECASE)


def requested_changes(message: str, payment_currency: str | None) -> AnalystRequest:
    """The fields an amendment request would change; ``currency`` when another ISO currency is asked for."""
    named = {c for c in _UPPER_CODE.findall(message) if is_currency(c)}
    # an upper-case code alone may be a word ("ALL"): it counts when two currencies are named (USD to EUR)
    targets = {
        c if c.isupper() else c.upper()
        for c in _TARGET_CURRENCY.findall(message)
        if c.isupper() or c.upper() in _LOWER_OK
    }
    codes = targets | (named if len(named) > 1 else set())
    other = {c for c in codes if is_currency(c)} - {(payment_currency or "").upper()}
    changes = {"currency"} if other or _CURRENCY_WORD.search(message) else set()
    return AnalystRequest(frozenset(changes), error=bool(_ERROR_WORD.search(message)))


def open_cases(evidence: list[dict[str, Any]], case_type: str) -> list[tuple[dict[str, Any], str]]:
    """Open cases of ``case_type`` with the evidence id of the get_cases result that holds them."""
    return [
        (c, item["id"])
        for item in ok_items(evidence, "get_cases")
        for c in (pick(item.get("data"), "cases") or [])
        if isinstance(c, dict) and c.get("status") == "open" and c.get("case_type") == case_type
    ]


def refused_recall(target: str, evidence: list[dict[str, Any]]) -> list[Candidate]:
    """Our recall was answered camt.029 RJCR: the bank cannot force the return; close the case as rejected
    and tell the customer to pursue the beneficiary (SOP-003 §5.4)."""
    for case, eid in open_cases(evidence, "cancellation_recall"):
        if case.get("answer_status") == "RJCR" and case.get("id"):
            why = f"recall answered camt.029 RJCR {case.get('answer_reason') or ''}".strip()
            args = {"case_id": case["id"], "resolution_code": "RJCT", "note": why}
            return [Candidate(ActionKind.CLOSE_CASE, args, "RJCT", [eid], why)]
    return []


# UM14: the account can no longer be changed, so recall (AC03); UM21: the receiver wants a cancellation.
_AFTER_REJECTED_AMENDMENT = {"UM14": "AC03", "UM21": "CUST"}


def amendment_rule(
    recall_blocked: Callable[[list[dict[str, Any]]], bool],
) -> Callable[[str, list[dict[str, Any]], AnalystRequest], list[Candidate]]:
    """camt.056 where an amendment cannot do the job (SOP-006 §5.1, §5.3, §8): the counterparty rejected
    the camt.087 with UM14 / UM21, or the change asked for is the currency (cancel and re-send instead)."""

    def rule(target: str, evidence: list[dict[str, Any]], request: AnalystRequest) -> list[Candidate]:
        payments = ok_items(evidence, "get_payment")
        payment = payment_of(payments[0].get("data") or {}) if payments else {}
        trackers = ok_items(evidence, "get_tracker")
        tracker = tracker_summary(trackers[0].get("data")) if trackers else {}
        if "RJCT" in (pick(payment, "status"), tracker.get("status")) or recall_blocked(evidence):
            return []  # rejected: resend a corrected payment (SOP-025); or a recall is already open
        base = [i["id"] for i in payments[:1]] + [i["id"] for i in trackers[:1]]
        for case, eid in open_cases(evidence, "amendment"):
            code = _AFTER_REJECTED_AMENDMENT.get(str(case.get("answer_reason") or ""))
            if case.get("answer_status") == "RJCR" and code:
                why = f"amendment rejected with {case['answer_reason']}: recall {code} and re-send"
                return [
                    Candidate(
                        ActionKind.RECALL, {"reference": target, "reason_code": code}, code, [*base, eid], why
                    )
                ]
        if "currency" in request.changes:  # CURR when the currency was an error, else the customer's wish
            code = "CURR" if request.error else "CUST"
            why = f"an amendment can never change the currency: recall {code} and re-send in the new currency"
            return [Candidate(ActionKind.RECALL, {"reference": target, "reason_code": code}, code, base, why)]
        return []

    return rule
