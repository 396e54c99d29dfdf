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


class _Retriever:
    """Ranks a Purpose and a Scope section first, as the index did for the one-line case-type searches."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []

    def search(self, query: str, k: int = 4, case_type: object = None) -> list[dict[str, object]]:
        self.calls.append({"query": query, "k": k, "case_type": case_type})
        titles = ["Purpose", "Scope", "Draft the camt.056", "Choose the route", "When not to act", "Roles"]
        return [
            {"chunk_id": f"c{i}", "citation": f"SOP-003 §{i + 1}", "section_title": t, "text": t}
            for i, t in enumerate(titles[:k])
        ]


async def test_agent_searches_skip_purpose_and_scope_and_still_return_k_sections() -> None:
    from types import SimpleNamespace

    from agent.config import AgentConfig
    from agent.nodes.reads import _run_query

    retriever = _Retriever()
    ctx = SimpleNamespace(retriever=retriever, config=AgentConfig(retrieval_k=3))
    query, hits, error = await _run_query(ctx, "cancellation checks", "cancellation_recall")  # type: ignore[arg-type]
    assert error is None and query == "cancellation checks"
    assert [h["section_title"] for h in hits] == ["Draft the camt.056", "Choose the route", "When not to act"]
    assert retriever.calls == [{"query": "cancellation checks", "k": 5, "case_type": "cancellation_recall"}]


def test_every_case_type_searches_its_checks_and_its_procedure() -> None:
    from agent.playbooks import PLAYBOOKS
    from core.domain import CaseType

    for case_type, playbook in PLAYBOOKS.items():
        expected = 0 if case_type is CaseType.GENERAL else 2
        assert len(playbook.queries) == expected, case_type
        assert all(len(q) <= 120 for q in playbook.queries), case_type


def _hit(i: int, sop: str, types: list[str], title: str = "Checks") -> dict[str, object]:
    return {
        "chunk_id": f"{sop}#{i}",
        "citation": f"{sop} §{i}",
        "sop_id": sop,
        "section_title": title,
        "case_types": types,
        "text": title,
    }


def test_a_case_type_search_adds_the_best_section_of_each_other_sop_that_names_the_case_type() -> None:
    from agent.nodes.reads import every_procedure

    found = [
        _hit(1, "SOP-010", ["value_date"], "Purpose"),
        _hit(4, "SOP-010", ["value_date"]),
        _hit(5, "SOP-010", ["value_date"]),
        _hit(6, "SOP-023", ["general"]),  # a general procedure is not a procedure of the case type
        _hit(7, "SOP-018", ["value_date", "general"]),
        _hit(8, "SOP-018", ["value_date", "general"]),  # the SOP is already represented by its best section
        _hit(2, "SOP-021", ["value_date", "charges"], "Scope"),  # Purpose and Scope never count
        _hit(3, "SOP-021", ["value_date", "charges"]),
    ]
    hits = every_procedure(found, 2, "value_date")
    assert [h["citation"] for h in hits] == ["SOP-010 §4", "SOP-010 §5", "SOP-018 §7", "SOP-021 §3"]
    assert [h["citation"] for h in every_procedure(found, 2, None)] == ["SOP-010 §4", "SOP-010 §5"]


async def test_the_playbook_search_ranks_a_wider_pool_and_the_code_search_does_not() -> None:
    from types import SimpleNamespace

    from agent.config import AgentConfig
    from agent.nodes.reads import _run_query

    retriever = _Retriever()
    ctx = SimpleNamespace(retriever=retriever, config=AgentConfig(retrieval_k=3))
    await _run_query(ctx, "value date checks", "value_date", spread=True)  # type: ignore[arg-type]
    await _run_query(ctx, "status reason G002", "value_date", k=2)  # type: ignore[arg-type]
    await _run_query(ctx, "what is a camt.110", "general", spread=True)  # type: ignore[arg-type]
    assert [c["k"] for c in retriever.calls] == [13, 4, 5]


def test_the_model_brief_drops_timestamps_but_a_value_date_finding_keeps_its_dates() -> None:
    from agent.nodes.answer import trusted_lines

    findings = [
        {
            "kind": "position",
            "text": "The payment is at HUDSUS33 with ACSP/G002 since 2026-11-16 09:47 UTC; not forwarded.",
            "evidence_ids": ["E2"],
        },
        {
            "kind": "duplicates",
            "text": "Possible duplicate: PAY-90010006 (sent 2026-11-20 10:00 UTC, status ACCC).",
            "evidence_ids": ["E6"],
        },
        {"kind": "account", "text": "The account is closed (closed on 2026-10-31).", "evidence_ids": ["E7"]},
        {"kind": "value_date", "text": "Value date 2026-11-14, due 2026-11-13.", "evidence_ids": ["E1"]},
        {"kind": "case_note", "text": "note", "evidence_ids": ["E3"], "untrusted": True},
        {"kind": "procedure", "text": "SOP text", "evidence_ids": []},
    ]
    assert trusted_lines(findings, brief=True, undated=True) == [
        "The payment is at HUDSUS33 with ACSP/G002; not forwarded. [E2]",
        "Possible duplicate: PAY-90010006 (status ACCC). [E6]",
        "The account is closed. [E7]",
        "Value date 2026-11-14, due 2026-11-13. [E1]",
    ]
    assert len(trusted_lines(findings, brief=True, undated=True)) == len(trusted_lines(findings, brief=True))
