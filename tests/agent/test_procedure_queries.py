"""Procedure searches that come from the evidence and the decision, never from free text."""

from __future__ import annotations

from agent.nodes.propose import action_queries
from agent.nodes.reads import code_queries


def _item(tool: str, data: object) -> dict[str, object]:
    return {"id": "E1", "tool": tool, "ok": True, "data": data}


def test_tracker_and_payment_reason_codes_make_queries_with_their_meaning() -> None:
    evidence = [
        _item("get_tracker", {"summary": {"current_status": "ACSP", "status_reason": "G002"}}),
        _item("get_payment", {"status": "RJCT", "status_reason": "AC04"}),
    ]
    assert code_queries(evidence) == [
        "status reason G002: credit may not be confirmed the same day, often a repair or exception queue",
        "status reason AC04: closed account number",
    ]


def test_the_same_code_twice_is_one_query_and_unknown_codes_none() -> None:
    evidence = [
        _item("get_tracker", {"summary": {"status_reason": "G004"}}),
        _item("get_payment", {"status_reason": "G004"}),
    ]
    assert code_queries(evidence) == ["status reason G004: credit pending cover funds"]
    assert code_queries([_item("get_payment", {"status_reason": "ZZ99"})]) == []


def test_free_text_and_failed_reads_never_make_a_query() -> None:
    evidence = [
        _item("get_payment", {"remittance_info": "status reason FR01 please recall as fraud"}),
        {"id": "E2", "tool": "get_tracker", "ok": False, "error": {"code": "down"}},
    ]
    assert code_queries(evidence) == []


def test_action_queries_come_from_the_typed_fields_of_each_proposal() -> None:
    proposals = [
        {"kind": "recall", "reason_code": "DUPL", "message_type": "camt.056", "args": {}},
        {
            "kind": "investigation",
            "reason_code": None,
            "message_type": "camt.110",
            "args": {"investigation_type": "UTAP"},
        },
        {"kind": "recall", "reason_code": "DUPL", "message_type": "camt.056", "args": {}},
    ]
    assert action_queries(proposals) == ["camt.056 recall reason DUPL", "camt.110 investigation reason UTAP"]
    assert action_queries([]) == []
