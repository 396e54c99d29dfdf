"""Case type from text and evidence: the documented rules, their precedence and the description parser."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent.case_typing import TextIntent, decide_case_type
from agent.description import parse_description, search_filters
from agent.evidence import EvidenceView
from core.domain import CaseType as C

UETR = "97ed4827-7b6f-4491-a06f-b548d5a7512d"


def _evidence(
    status: str = "ACSP",
    reason: str | None = "G002",
    *,
    account: str = "active",
    held: bool = False,
    cases: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    pay = {
        "id": "PAY-00000001",
        "uetr": UETR,
        "end_to_end_id": "E2E-1",
        "status": status,
        "status_reason": reason,
        "instructed_amount": "100.00",
        "instructed_currency": "EUR",
        "debtor_name": "A",
        "creditor_name": "B",
        "debtor_agent_bic": "DEUTDEFF",
        "creditor_agent_bic": "BNPAFRPP",
        "creditor_account": "FR7630006000011234567890189",
    }
    summary = {"current_status": status, "status_reason": reason, "last_agent_bic": "BNPAFRPP"}
    acct = {
        "id": "ACC-1",
        "account_number": "X",
        "holder_name": "B",
        "status": account,
        "currency": "EUR",
        "bank_bic": "BNPAFRPP",
    }
    screening = {"payment_id": "PAY-00000001", "hits": [], "holds": [], "summary": {"held": held}}
    items = [
        ("get_payment", {"payment": pay}),
        ("get_tracker", {"payment_id": "PAY-00000001", "uetr": UETR, "hops": [], "summary": summary}),
        ("get_account", acct),
        ("get_screening", screening),
        ("get_cases", {"payment_id": "PAY-00000001", "cases": cases or []}),
    ]
    return [
        {"id": f"E{i}", "tool": tool, "ok": True, "data": data, "reference": "PAY-00000001"}
        for i, (tool, data) in enumerate(items, start=1)
    ]


def _decide(intent: C, evidence: list[dict[str, Any]], confidence: float = 0.9, chosen: C | None = None):
    text = TextIntent(intent, confidence, "trained", threshold=0.6)
    return decide_case_type(text, EvidenceView(evidence, "PAY-00000001"), chosen)


@pytest.mark.parametrize(
    ("intent", "evidence", "expected", "rule"),
    [
        (C.CLAIM_NON_RECEIPT, _evidence("ACSP", "G003"), C.COMPLIANCE_HOLD, "R1-compliance-hold"),
        (C.STATUS_CHASER, _evidence(held=True), C.COMPLIANCE_HOLD, "R1-compliance-hold"),
        # SOP-015 §4.4: a customer's recall or release request on a held payment is the hold's case
        (C.CANCELLATION_RECALL, _evidence(held=True), C.COMPLIANCE_HOLD, "R1-compliance-hold"),
        (C.VALUE_DATE, _evidence("ACSP", "G003"), C.COMPLIANCE_HOLD, "R1-compliance-hold"),
        (C.CLAIM_NON_RECEIPT, _evidence("ACSP", "G004"), C.MISSING_COVER, "R2-missing-cover"),
        (C.UNABLE_TO_APPLY, _evidence(account="closed"), C.RETURN_OF_FUNDS, "R3-return-closed-account"),
        (C.CANCELLATION_RECALL, _evidence(account="blocked"), C.RETURN_OF_FUNDS, "R3-return-closed-account"),
        (
            C.STATUS_CHASER,
            _evidence("RJCT", "AC04", account="closed"),
            C.CLAIM_NON_RECEIPT,
            "R4-rejected-claim",
        ),
        (C.MISSING_COVER, _evidence("ACCC", None), C.CLAIM_NON_RECEIPT, "R5-credited-disputed"),
        (C.MISSING_COVER, _evidence("ACSP", "G002"), C.CLAIM_NON_RECEIPT, "R6-not-cover"),
    ],
)
def test_evidence_rules_decide_from_structured_fields(intent, evidence, expected, rule):
    decision = _decide(intent, evidence)
    assert (decision.case_type, decision.source, decision.rule) == (expected, "rule", rule)
    assert decision.evidence_ids  # every rule names what it read


def test_rules_leave_other_intents_alone():
    assert _decide(C.FRAUD_RECALL, _evidence("ACSP", "G003")).case_type == C.FRAUD_RECALL
    assert _decide(C.CHARGES, _evidence(account="closed")).case_type == C.CHARGES
    assert _decide(C.STATUS_CHASER, _evidence("ACCC", None)).case_type == C.STATUS_CHASER


def test_precedence_analyst_then_rules_then_text_then_open_case_then_ask():
    g003 = _evidence("ACSP", "G003")
    assert _decide(C.STATUS_CHASER, g003, chosen=C.AMENDMENT).source == "analyst"
    assert _decide(C.STATUS_CHASER, g003, confidence=0.1).source == "rule"
    assert _decide(C.CHARGES, _evidence(), confidence=0.9).source == "trained"
    open_case = [{"id": "CASE-000001", "status": "open", "case_type": "cancellation_recall"}]
    tie = _decide(C.CHARGES, _evidence(cases=open_case), confidence=0.2)
    assert (tie.case_type, tie.source) == (C.CANCELLATION_RECALL, "open_case")
    unclear = _decide(C.CHARGES, _evidence(), confidence=0.2)
    assert unclear.source == "ask" and unclear.choices[0] == "charges"


def test_description_parsing_and_search_filters():
    desc = parse_description(
        "Alpine Textiles GmbH says their USD 48,250.00 payment to Great Lakes Components Inc. sent on "
        "16 November never arrived",
        today=date(2026, 11, 20),
    )
    assert (desc.amount, desc.currency) == ("48250.00", "USD")
    assert desc.parties[:2] == ["Alpine Textiles GmbH", "Great Lakes Components Inc."]
    assert desc.dates == [date(2026, 11, 16)]
    args = search_filters(desc)
    assert args is not None
    assert args["amount_min"] == args["amount_max"] == "48250.00" and args["party"] == "Alpine Textiles GmbH"
    assert (args["date_from"], args["date_to"]) == ("2026-11-13", "2026-11-19")
    assert parse_description("Dec 12, 2025 and 3.1.2026", today=date(2026, 11, 20)).dates == [
        date(2025, 12, 12),
        date(2026, 1, 3),
    ]
    assert search_filters(parse_description("where is it?")) is None
