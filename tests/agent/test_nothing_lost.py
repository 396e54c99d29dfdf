"""Nothing lost (issue 12): proposals only with their saved turn, outcomes never over the analyst's answer,
approved work that cannot run ends ``failed`` with an audit event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.errors import NothingToSubmit, ThreadNotFound
from agent.ports import ToolFailure
from agent.recovery import NOT_EXECUTABLE, TURN_LOST
from core.audit import AuditLog
from core.domain import ActionKind
from core.schema import open_app_db
from core.settings import Settings
from tests.agent.conftest import SUPERVISOR, UETR_STUCK, sample_payments
from tests.agent.fakes import FakePaymentPort, default_script

QUESTION = f"Customer says {UETR_STUCK} never arrived"


class RefusingPort(FakePaymentPort):
    """The payments API answers every write with a business-rule refusal."""

    async def execute(self, kind: ActionKind, args: dict[str, Any], **kw: Any) -> dict[str, Any]:
        raise ToolFailure("case_closed", "the payment's case is closed")


def _audit(settings: Settings) -> AuditLog:
    return AuditLog(open_app_db(settings.app_db_url))


async def _proposed(service: Any) -> Any:
    result = await service.ask(QUESTION)
    assert result.proposals
    await service.submit(result.thread_id, user="analyst1")
    return result


def _approve(result: Any) -> list[dict[str, str]]:
    return [{"proposal_id": result.proposals[0]["id"], "action": "approve"}]


async def test_a_turn_that_does_not_finish_leaves_no_proposal(make_service, settings):
    audit = _audit(settings)
    service = make_service(default_script(), audit=audit)
    try:
        stream = service.stream(QUESTION)
        thread_id = None
        async for event in stream:
            if event["type"] == "proposals" and event["data"]["proposals"]:
                thread_id = event["data"]["proposals"][0]["thread_id"]
                break  # the turn stops after its proposal was written, before its turn was saved
        await stream.aclose()
        assert thread_id
        assert service.thread(thread_id)["proposals"] == []
        (row,) = service.store.list_proposals(thread_id=thread_id)
        assert (row["status"], row["decided_by"], row["reason"]) == ("rejected", "system", TURN_LOST)
        with pytest.raises(NothingToSubmit):
            await service.submit(thread_id, user="analyst1")
        assert "agent.proposal_discarded" in [e.event_type for e in audit.events(conversation_id=thread_id)]
    finally:
        await service.aclose()


async def test_approving_adds_an_outcome_and_keeps_the_analysts_turn(make_service):
    service = make_service(default_script())
    try:
        asked = await _proposed(service)
        (before,) = service.store.list_turns(asked.thread_id)
        decided = await service.decide(asked.thread_id, _approve(asked), SUPERVISOR)
        assert decided.status == "completed"
        (after,) = service.store.list_turns(asked.thread_id)
        assert after["message"] == before["message"] == QUESTION
        assert after["result"]["answer"] == before["result"]["answer"] == asked.answer
        (outcome,) = after["result"]["outcomes"]
        assert outcome["by"] == "supervisor1" and outcome["status"] == "completed"
        assert outcome["answer"] == decided.answer
        assert [e["status"] for e in outcome["executions"]] == ["executed"]
    finally:
        await service.aclose()


async def test_a_refused_execution_fails_visibly_with_an_audit_event(make_service, settings, tmp_path: Path):
    audit = _audit(settings)
    port = RefusingPort(tmp_path / "refusing.db", sample_payments())
    service = make_service(default_script(), audit=audit, systems=port)
    try:
        asked = await _proposed(service)
        decided = await service.decide(asked.thread_id, _approve(asked), SUPERVISOR)
        assert [p["status"] for p in decided.proposals] == ["failed"]
        (failed,) = [
            e for e in audit.events(conversation_id=asked.thread_id) if e.event_type.endswith("_failed")
        ]
        assert (
            failed.event_type == "agent.execution_failed"
            and failed.payload["result"]["error"] == "case_closed"
        )
    finally:
        await service.aclose()


async def _lose_checkpoint(service: Any, thread_id: str) -> None:
    graph = await service._ready()
    await graph.checkpointer.adelete_thread(thread_id)


async def test_approving_a_proposal_whose_thread_is_gone_fails_it_visibly(make_service, settings):
    audit = _audit(settings)
    service = make_service(default_script(), audit=audit)
    try:
        asked = await _proposed(service)
        await _lose_checkpoint(service, asked.thread_id)
        with pytest.raises(ThreadNotFound):
            await service.decide(asked.thread_id, _approve(asked), SUPERVISOR)
        row = service.store.get_proposal(asked.proposals[0]["id"])
        assert row and row["status"] == "failed" and row["result"]["message"] == NOT_EXECUTABLE
        types = [e.event_type for e in audit.events(conversation_id=asked.thread_id)]
        assert "agent.decision" in types and "agent.execution_failed" in types
    finally:
        await service.aclose()


async def test_start_up_fails_approved_work_that_cannot_resume(make_service, settings):
    audit = _audit(settings)
    service = make_service(default_script(), audit=audit)
    try:
        asked = await _proposed(service)
        pid = asked.proposals[0]["id"]
        assert service.store.transition(
            pid, expected=("submitted",), status="approved", decided_by="supervisor1"
        )
        await _lose_checkpoint(service, asked.thread_id)  # a crash between the decision and the resume
        recovered = await service.recover()
        assert recovered == {"threads": [asked.thread_id], "failed": [pid]}
        assert (service.store.get_proposal(pid) or {})["status"] == "failed"
        assert "agent.execution_failed" in [
            e.event_type for e in audit.events(conversation_id=asked.thread_id)
        ]
        assert await service.recover() == {"threads": [], "failed": []}  # nothing left stranded
    finally:
        await service.aclose()
