"""Every agent event lands in the hash-chained audit log; the LLM kill switch gives an evidence-only answer."""

from __future__ import annotations

from core.audit import AuditLog
from core.controls import set_controls
from core.schema import open_app_db
from tests.agent.conftest import SUPERVISOR, UETR_STUCK
from tests.agent.fakes import ScriptedChatModel, default_script


async def test_turn_and_decision_are_audited(make_service, settings):
    audit = AuditLog(open_app_db(settings.app_db_url))
    service = make_service(default_script(), audit=audit)
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
        await service.submit(result.thread_id, user="analyst1")
        await service.decide(
            result.thread_id, [{"proposal_id": result.proposals[0]["id"], "action": "approve"}], SUPERVISOR
        )
    finally:
        await service.aclose()
    events = audit.events(conversation_id=result.thread_id)
    types = [e.event_type for e in events]
    for expected in (
        "agent.user_message",
        "agent.intake",
        "agent.plan",
        "agent.tool_call",
        "agent.tool_result",
        "agent.retrieval",
        "agent.llm_call",
        "agent.answer",
        "agent.proposals",
        "agent.approval",
        "agent.submission",
        "agent.decision",
        "agent.execution",
    ):
        assert expected in types, expected
    assert "agent.token" not in types
    llm = next(e for e in events if e.event_type == "agent.llm_call")
    assert {"prompt", "version", "provider", "model", "prompt_tokens", "latency_ms"} <= set(llm.payload)
    retrieval = next(e for e in events if e.event_type == "agent.retrieval")
    assert retrieval.payload["hits"][0]["chunk_id"] and retrieval.payload["hits"][0]["version"]
    decision = next(e for e in events if e.event_type == "agent.decision")
    assert decision.actor == "supervisor1"
    assert audit.verify().ok


async def test_llm_kill_switch_answers_from_evidence_only(make_service, settings):
    set_controls(open_app_db(settings.app_db_url), actor="admin1", llm_enabled=False)
    model = ScriptedChatModel(script=default_script())
    service = make_service(model=model)
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
    finally:
        await service.aclose()
    assert model.calls == [] and result.llm_calls == []
    assert result.answer.startswith("(No model reply: the language model is switched off.)")
    assert {"get_payment", "get_tracker"} <= {c.name for c in result.tool_calls}
