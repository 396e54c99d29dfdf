"""The evidence-first turn end to end: triage bundle, search by description, follow-ups, case-type choice,
findings before the model, one verified answer call, and the findings as the answer when the model fails."""

from __future__ import annotations

import asyncio
import sys
import types
from typing import Any

from agent.config import AgentConfig
from tests.agent.conftest import UETR_DONE, UETR_STUCK
from tests.agent.fakes import FakeClassifier, FakePaymentPort, ScriptedChatModel, payment, sop_hit
from tests.agent.fakes import ListRetriever as Retriever

BUNDLE = {"get_payment", "get_tracker", "get_cases", "get_screening", "get_risk_signals", "find_duplicates"}


async def _events(service: Any, message: str, **kw: Any) -> list[dict[str, Any]]:
    return [e async for e in service.stream(message, **kw)]


async def test_reads_come_first_and_the_only_model_call_is_the_answer(make_service):
    service = make_service()
    try:
        events = await _events(service, f"Customer says {UETR_STUCK} never arrived")
        result = events[-1]["data"]
        types_ = [e["type"] for e in events]
        assert BUNDLE | {"get_account"} <= {c["name"] for c in result["tool_calls"]}
        assert [c["prompt"] for c in result["llm_calls"]] == ["answer"]  # no intake or plan call
        assert types_.index("findings") < types_.index("llm_call") < types_.index("answer")
        findings = next(e["data"] for e in events if e["type"] == "findings")
        assert findings["proposals"] and findings["proposals"][0]["reason_code"] == "CCNR"
        texts = " ".join(f["text"] for f in findings["findings"])
        assert "BNPAFRPPXXX" in texts and "ACSP/G002" in texts
        assert all(f["evidence_ids"] or f["kind"] in ("procedure", "blocked") for f in findings["findings"])
        assert result["classification"]["source"] == "trained"
    finally:
        await service.aclose()


async def test_unsupported_sentences_are_removed_counted_and_audited(make_service):
    audit: list[dict[str, Any]] = []

    class Audit:
        def append(self, event_type: str, *, payload: dict[str, Any], **kw: Any) -> None:
            audit.append({"type": event_type, "payload": payload})

    answer = (
        "The payment is at BNPAFRPPXXX with ACSP/G002 [E2]. "
        "It was credited by the beneficiary on 2026-03-02. The charges of EUR 4,957.50 were taken by COBADEFFXXX."
    )
    service = make_service(lambda kind, messages: answer, audit=Audit())
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
        assert result.unsupported_claims == 2
        summary, _, lookups = result.answer.partition("\n\nWhat the lookups show:\n")
        assert summary == "The payment is at BNPAFRPPXXX with ACSP/G002 [E2]."
        assert "ACSP/G002" in lookups  # the checked findings follow the model's summary
        assert "4,957.50" not in result.answer and "credited by" not in result.answer
        answers = [a for a in audit if a["type"] == "agent.answer"]
        assert answers and answers[0]["payload"]["unsupported_claims"] == 2
    finally:
        await service.aclose()


async def test_model_failure_or_timeout_gives_the_findings_as_the_answer(make_service):
    def broken(kind: str, messages: Any) -> str:
        raise RuntimeError("model down")

    service = make_service(broken)
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
        assert "What the lookups show" in result.answer and "BNPAFRPPXXX" in result.answer
        assert result.llm_calls[0]["ok"] is False
    finally:
        await service.aclose()

    class Slow(ScriptedChatModel):
        async def _astream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            await asyncio.sleep(5)
            for chunk in self._stream(messages):
                yield chunk

    slow = make_service(model=Slow(script=lambda k, m: "late"), config=AgentConfig(answer_timeout_s=0.2))
    try:
        result = await slow.ask(f"Customer says {UETR_STUCK} never arrived")
        assert "What the lookups show" in result.answer
        assert result.llm_calls[0]["error"].startswith("timeout")
    finally:
        await slow.aclose()


async def test_a_described_payment_is_found_and_a_follow_up_reuses_it(make_service):
    service = make_service()
    try:
        first = await service.ask("Jane Marlowe says the EUR 1,250.00 payment never arrived")
        # three payments of EUR 1,250.00 exist: the analyst is asked which one, nothing else is read
        assert [c.name for c in first.tool_calls] == ["search_payments"]
        assert first.triage["source"] == "search_several" and not first.proposals
        assert "Several payments match" in " ".join(f["text"] for f in first.findings)

        one = await service.ask("The USD 250,000.00 payment to Jane Marlowe never arrived")
        assert one.triage["source"] == "search" and one.references["payment_refs"] == ["PAY-00000004"]
        assert "get_payment" in {c.name for c in one.tool_calls}
        follow = await service.ask("and what does the tracker say now?", thread_id=one.thread_id)
        assert follow.triage["source"] == "thread" and follow.references["payment_refs"] == ["PAY-00000004"]

        none = await service.ask("The GBP 9.99 payment never arrived")
        assert none.triage["source"] == "search_none"
        assert "No payment matches" in none.answer or "No payment matches" in str(none.findings)
    finally:
        await service.aclose()


async def test_unclear_case_type_asks_and_the_choice_is_stored(make_service, monkeypatch):
    stored: list[tuple[Any, ...]] = []
    fake = types.ModuleType("agent.classifier")
    fake.CONFIDENCE_THRESHOLD = 0.6  # type: ignore[attr-defined]
    fake.append_labelled_example = lambda settings, text, case_type, **kw: stored.append(
        (text, case_type, kw)
    )  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agent.classifier", fake)
    service = make_service(classifier=FakeClassifier("charges", confidence=0.2))
    try:
        message = f"Something is odd with {UETR_DONE}"
        events = await _events(service, message)
        result = events[-1]["data"]
        assert result["case_type_choices"][0] == "charges" and not result["proposals"]
        assert any(e["type"] == "case_type_choice" for e in events)
        assert [c["prompt"] for c in result["llm_calls"]] == []  # asking needs no model
        picked = await service.ask(message, thread_id=result["thread_id"], case_type="status_chaser")
        assert picked.case_type == "status_chaser" and picked.classification["source"] == "analyst"
        assert stored == [
            (
                message,
                "status_chaser",
                {"source": "analyst", "user": "analyst1", "thread_id": result["thread_id"]},
            )
        ]
    finally:
        await service.aclose()


async def test_evidence_overrides_the_wording(make_service, tmp_path):
    port = FakePaymentPort(
        tmp_path / "a.db",
        [
            payment("PAY-00000007", "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", held=True, reason="G003"),
            payment(
                "PAY-00000008",
                "2b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
                account_status="closed",
                iban="GB29NWBK60161331926819",
            ),
        ],
    )
    service = make_service(classifier=FakeClassifier("status_chaser"), systems=port)
    try:
        held = await service.ask("Where is PAY-00000007? Client chasing.")
        assert (held.case_type, held.classification["rule"]) == ("compliance_hold", "R1-compliance-hold")
        closed = await service.ask("Where is PAY-00000008? Client chasing.")
        assert (closed.case_type, closed.classification["rule"]) == (
            "return_of_funds",
            "R3-return-closed-account",
        )
    finally:
        await service.aclose()


async def test_general_questions_answer_from_sections_checked_the_same_way(make_service):
    hits = [sop_hit("SOP-014", "2", "Chase the next agent after 2 business days with camt.110.", ["general"])]
    answer = "Chase the next agent with camt.110 [SOP-014 §2]. Pay EUR 500.00 compensation."
    service = make_service(
        lambda kind, messages: answer,
        classifier=FakeClassifier("general"),
        retriever=Retriever(hits),
    )
    try:
        result = await service.ask("when do we chase a correspondent for a status?")
        assert result.case_type == "general" and not result.tool_calls
        summary, _, sources = result.answer.partition("\n\nWhat the lookups show:\n")
        assert summary == "Chase the next agent with camt.110 [SOP-014 §2]."
        assert sources.startswith("- [SOP-014 §2]") and "EUR 500.00" not in result.answer
        assert result.unsupported_claims == 1 and result.citations == ["SOP-014 §2"]
    finally:
        await service.aclose()
