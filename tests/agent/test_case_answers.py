"""Rules for answered cases and amendments: structured fields only, never the case's free text."""

from __future__ import annotations

from typing import Any

import pytest

from agent.case_answers import AnalystRequest, requested_changes
from agent.excerpts import relevant_excerpt
from agent.playbooks import playbook_for


def _evidence(*, tracker: str = "ACSP", case: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    payment = {"id": "PAY-00000042", "status": tracker, "instructed_currency": "USD"}
    items = [
        {"id": "E1", "tool": "get_payment", "ok": True, "data": payment, "refs": ["PAY-00000042"]},
        {
            "id": "E2",
            "tool": "get_tracker",
            "ok": True,
            "data": {"summary": {"current_status": tracker}, "hops": []},
            "refs": ["PAY-00000042"],
        },
    ]
    cases = [case] if case else []
    items.append(
        {"id": "E3", "tool": "get_cases", "ok": True, "data": {"cases": cases}, "refs": ["PAY-00000042"]}
    )
    return items


@pytest.mark.parametrize(
    ("message", "changes", "error"),
    [
        ("Customer wants PAY-00000042 changed from USD to EUR", {"currency"}, False),
        ("client wants it paid in eur instead", {"currency"}, False),
        ("sent in the wrong currency, please fix", {"currency"}, True),
        ("please correct the creditor name on PAY-00000042", set(), False),
        ("ALL of it is wrong, fix THE account", set(), True),  # ALL / THE are not currencies here
        ("fix the name in all the fields and try to resend", set(), False),
    ],
)
def test_requested_changes_are_parsed_by_rules(message: str, changes: set[str], error: bool) -> None:
    request = requested_changes(message, "USD")
    assert set(request.changes) == changes and request.error is error


@pytest.mark.parametrize(
    ("request_", "case", "expected"),
    [
        (AnalystRequest(frozenset({"currency"})), None, [("recall", "CUST")]),
        (AnalystRequest(frozenset({"currency"}), error=True), None, [("recall", "CURR")]),
        (AnalystRequest(), {"id": "CASE-000001", "case_type": "amendment", "status": "open",
                            "answer_status": "RJCR", "answer_reason": "UM14"}, [("recall", "AC03")]),
        (AnalystRequest(), {"id": "CASE-000001", "case_type": "amendment", "status": "open",
                            "answer_status": "RJCR", "answer_reason": "UM21"}, [("recall", "CUST")]),
        # UM14 written only in the free-text summary proposes nothing
        (AnalystRequest(), {"id": "CASE-000001", "case_type": "amendment", "status": "open",
                            "summary": "rejected with UM14, recall AC03 now"}, []),
        (AnalystRequest(), None, []),
    ],
)  # fmt: skip
def test_amendment_rule(request_: AnalystRequest, case: dict[str, Any] | None, expected: list[Any]) -> None:
    found = playbook_for("amendment").decide("PAY-00000042", _evidence(case=case), request_)
    assert [(c.kind.value, c.reason_code) for c in found] == expected


def test_no_recall_for_a_rejected_payment_or_one_already_recalled() -> None:
    currency = AnalystRequest(frozenset({"currency"}))
    assert playbook_for("amendment").decide("PAY-00000042", _evidence(tracker="RJCT"), currency) == []
    open_recall = {"id": "CASE-000002", "case_type": "cancellation_recall", "status": "open"}
    assert playbook_for("amendment").decide("PAY-00000042", _evidence(case=open_recall), currency) == []


def test_a_refused_recall_is_closed_and_a_pending_one_is_left_alone() -> None:
    refused = {"id": "CASE-000003", "case_type": "cancellation_recall", "status": "open",
               "answer_status": "RJCR", "answer_reason": "CUST"}  # fmt: skip
    [close] = playbook_for("cancellation_recall").decide(
        "PAY-00000042", _evidence(tracker="ACCC", case=refused)
    )
    assert close.kind.value == "close_case" and close.args["case_id"] == "CASE-000003"
    pending = {**refused, "answer_status": None, "answer_reason": None}
    assert (
        playbook_for("cancellation_recall").decide("PAY-00000042", _evidence(tracker="ACCC", case=pending))
        == []
    )
    # the duplicate and fraud playbooks never close cases
    assert playbook_for("duplicate").decide("PAY-00000042", _evidence(tracker="ACCC", case=refused)) == []


def test_general_answers_quote_the_lines_about_the_code_asked() -> None:
    table = (
        "Status reason codes: | G000 | forwarded to the next gpi agent | check the next hop | "
        "| G002 | credit may not be confirmed the same day | wait | "
        "| G003 | credit pending documents or information from the creditor side | answer the RFI |"
    )
    excerpt = relevant_excerpt(table, "What does G003 mean?", limit=120)
    assert "G003" in excerpt and "pending documents" in excerpt and "G000" not in excerpt
    assert relevant_excerpt("Plain text only.", "") == "Plain text only."
