"""LangChain's HITL request on the approval interrupt; HITL decisions go through the same approval rules."""

from __future__ import annotations

import pytest
from langgraph.types import Command

from core.controls import set_controls
from core.users import UserStore
from tests.agent.conftest import UETR_STUCK
from tests.agent.fakes import default_script

UETR_BIG = "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f"  # PAY-00000004, USD 250,000


@pytest.fixture
async def service(make_service):
    svc = make_service(default_script())
    UserStore(svc.deps.app_engine).ensure_demo_users()
    yield svc
    await svc.aclose()


async def _interrupted(service, user="analyst1", message=f"Customer says {UETR_STUCK} never arrived"):
    result = await service.ask(message, user=user)
    graph = await service._ready()
    snapshot = await graph.aget_state(service._cfg(result.thread_id))
    return result, graph, snapshot.interrupts[0].value


async def _resume(service, graph, thread_id, response):
    async for _ in graph.astream(
        Command(resume=response), service._cfg(thread_id), context=service._context(), durability="sync"
    ):
        pass
    return await graph.aget_state(service._cfg(thread_id))


async def test_interrupt_carries_the_hitl_request_next_to_the_project_batch(service):
    result, _, value = await _interrupted(service)
    [proposal] = result.proposals
    assert value["proposals"][0]["id"] == proposal["id"]  # the project's own shape stays
    [request] = value["action_requests"]
    assert request["name"] == "investigation" and request["args"] == proposal["args"]
    assert proposal["id"] in request["description"]
    assert value["review_configs"] == [
        {"action_name": "investigation", "allowed_decisions": ["approve", "edit", "reject"]}
    ]


async def test_hitl_approval_by_another_supervisor_executes_once(service, port):
    result, graph, _ = await _interrupted(service)
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "supervisor1"}
    )
    assert not snapshot.interrupts and snapshot.values["status"] == "completed"
    row = service.store.get_proposal(result.proposals[0]["id"])
    assert row["status"] == "executed" and row["decided_by"] == "supervisor1"
    assert len(port.action_rows()) == 1


@pytest.mark.parametrize(
    ("asker", "approver", "code"),
    [
        ("supervisor1", "supervisor1", "four_eyes_violation"),  # the requester approves their own proposal
        ("analyst1", "analyst2", "not_authorised"),  # an analyst's role decides nothing
        ("analyst1", "nobody", "not_authorised"),  # the client names a user the store does not know
    ],
)
async def test_hitl_path_refuses_what_the_rules_refuse(service, port, asker, approver, code):
    result, graph, _ = await _interrupted(service, user=asker)
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": approver}
    )
    [pending] = snapshot.interrupts  # still waiting, with the reason
    assert pending.value["error"]["code"] == code
    assert service.store.get_proposal(result.proposals[0]["id"])["status"] != "approved"
    assert port.action_rows() == []


async def test_hitl_path_honours_the_kill_switch(service, port):
    set_controls(service.deps.app_engine, actor="admin1", actions_enabled=False)
    result, graph, _ = await _interrupted(service)
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "supervisor1"}
    )
    assert snapshot.interrupts[0].value["error"]["code"] == "actions_disabled"
    assert port.action_rows() == []


async def test_hitl_path_honours_the_approval_limit(service, port):
    result, graph, _ = await _interrupted(service, message=f"Customer says {UETR_BIG} never arrived")
    assert result.proposals[0]["amount"] == 250_000  # USD: EUR 225,000 at the fake rate
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "supervisor1"}
    )
    assert snapshot.interrupts[0].value["error"]["code"] == "approval_limit_exceeded"  # limit EUR 100,000
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "supervisor2"}
    )
    assert not snapshot.interrupts and len(port.action_rows()) == 1


async def test_hitl_reject_needs_a_message_and_then_ends_the_turn(service, port):
    result, graph, _ = await _interrupted(service)
    snapshot = await _resume(
        service, graph, result.thread_id, {"decisions": [{"type": "reject"}], "approver": "supervisor1"}
    )
    assert snapshot.interrupts[0].value["error"]["code"] == "invalid_decision"
    snapshot = await _resume(
        service,
        graph,
        result.thread_id,
        {"decisions": [{"type": "reject", "message": "customer withdrew"}], "approver": "supervisor1"},
    )
    assert not snapshot.interrupts and snapshot.values["status"] == "completed"
    row = service.store.get_proposal(result.proposals[0]["id"])
    assert row["status"] == "rejected" and row["reason"] == "customer withdrew"
    assert port.action_rows() == []


async def test_hitl_submission_decision_and_refusal_are_audited(make_service, settings):
    from core.audit import AuditLog
    from core.schema import open_app_db

    audit = AuditLog(open_app_db(settings.app_db_url))
    service = make_service(default_script(), audit=audit)
    UserStore(service.deps.app_engine).ensure_demo_users()
    try:
        result, graph, _ = await _interrupted(service)
        await _resume(
            service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "analyst2"}
        )
        await _resume(
            service, graph, result.thread_id, {"decisions": [{"type": "approve"}], "approver": "supervisor1"}
        )
        events = [(e.event_type, e.actor) for e in audit.events(conversation_id=result.thread_id)]
        assert ("agent.decision_refused", "analyst2") in events
        assert ("agent.submission", "analyst1") in events and ("agent.decision", "supervisor1") in events
        refused = audit.events(conversation_id=result.thread_id, event_type="agent.decision_refused")[0]
        assert refused.payload["code"] == "not_authorised"
        assert audit.verify().ok
    finally:
        await service.aclose()
