"""Four-eyes approvals through AgentService.decide: roles, self-approval, amount tiers, edits, rejections."""

from __future__ import annotations

import pytest

from agent.approvals import Principal
from agent.errors import (
    ActionsDisabled,
    ApprovalLimitExceeded,
    FourEyesViolation,
    InvalidDecision,
    NotAuthorised,
    ProposalNotPending,
    ThreadAwaitingApproval,
)
from core.controls import set_controls
from core.schema import open_app_db
from tests.agent.conftest import SUPERVISOR, SUPERVISOR2, UETR_STUCK
from tests.agent.fakes import default_script
from tests.approvals import claims_of

ADMIN = Principal(username="admin1", role="admin", approval_limit_eur=1_000_000)


async def _submitted(service, message=f"Customer says {UETR_STUCK} never arrived", user="analyst1"):
    result = await service.ask(message, user=user)
    await service.submit(result.thread_id, user=user)
    return result.thread_id, result.proposals[0]["id"]


@pytest.fixture
async def service(make_service):
    svc = make_service(default_script())
    yield svc
    await svc.aclose()


async def test_self_approval_is_refused(service, port):
    thread, pid = await _submitted(service, user="admin1")
    with pytest.raises(FourEyesViolation):
        await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], ADMIN)
    assert port.action_rows() == []
    assert service.store.get_proposal(pid)["status"] == "submitted"


@pytest.mark.parametrize("role", ["analyst", "compliance"])
async def test_wrong_role_is_refused(service, port, role):
    thread, pid = await _submitted(service)
    with pytest.raises(NotAuthorised):
        await service.decide(
            thread,
            [{"proposal_id": pid, "action": "approve"}],
            Principal(username="someone", role=role, approval_limit_eur=10**9),
        )
    assert port.action_rows() == []


async def test_amount_tier_uses_the_eur_amount(service, port):
    # PAY-00000004: USD 250,000 at 0.9 = EUR 225,000: above supervisor1's 100,000, within supervisor2's limit.
    thread, pid = await _submitted(service, "Where is PAY-00000004? The beneficiary has not received it")
    with pytest.raises(ApprovalLimitExceeded):
        await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR)
    result = await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR2)
    assert result.executions[0]["status"] == "executed"
    assert len(port.action_rows()) == 1


async def test_unsubmitted_proposal_cannot_be_approved(service, port):
    result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
    with pytest.raises(ProposalNotPending):
        await service.decide(
            result.thread_id, [{"proposal_id": result.proposals[0]["id"], "action": "approve"}], SUPERVISOR
        )
    assert port.action_rows() == []


async def test_edit_needs_a_fresh_approval_by_someone_else(service, port):
    thread, pid = await _submitted(service)
    edited = await service.decide(
        thread, [{"proposal_id": pid, "action": "edit", "args": {"responder_bic": "COBADEFFXXX"}}], SUPERVISOR
    )
    assert edited.status == "awaiting_approval"
    row = service.store.get_proposal(pid)
    assert (row["status"], row["requested_by"], row["args"]["responder_bic"]) == (
        "edited",
        "supervisor1",
        "COBADEFFXXX",
    )
    assert [p["id"] for p in service.pending_approvals()] == [pid]
    with pytest.raises(FourEyesViolation):  # the editor is now the requester
        await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR)
    done = await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR2)
    assert done.status == "completed"
    [(_, _, kind, args, approval_ref)] = port.action_rows()
    assert kind == "investigation" and "COBADEFFXXX" in args
    signed = claims_of(approval_ref)  # the signed approval names the approver of the edited arguments
    assert (signed["proposal_id"], signed["approver"], signed["requester"]) == (
        pid,
        "supervisor2",
        "supervisor1",
    )


async def test_edit_cannot_retarget_the_payment(service):
    thread, pid = await _submitted(service)
    with pytest.raises(InvalidDecision):
        await service.decide(
            thread,
            [{"proposal_id": pid, "action": "edit", "args": {"reference": "PAY-00000003"}}],
            SUPERVISOR,
        )


async def test_rejection_reason_reaches_the_model_and_nothing_runs(make_service, port):
    service = make_service(default_script())
    try:
        thread, pid = await _submitted(service)
        with pytest.raises(InvalidDecision):  # a rejection needs a reason
            await service.decide(thread, [{"proposal_id": pid, "action": "reject"}], SUPERVISOR)
        result = await service.decide(
            thread,
            [{"proposal_id": pid, "action": "reject", "reason": "customer withdrew the claim"}],
            SUPERVISOR,
        )
        assert result.status == "completed" and result.executions == []
        # the outcome is rendered from the record, not by the model: no model call after the decision
        assert not any("Outcomes:" in str(c["messages"][-1].content) for c in service.deps._chat_model.calls)
        assert result.answer.startswith("Outcome of the proposed actions:")
        assert (
            f"{pid}: the " in result.answer
            and 'was rejected by supervisor1; reason given: "customer withdrew' in (result.answer)
        ), result.answer
        assert "Nothing was sent." in result.answer
        assert port.action_rows() == []
        # the conversation goes on after the decision
        follow_up = await service.ask("And what is the SLA for an answer?", thread_id=thread)
        assert follow_up.turn == 2
    finally:
        await service.aclose()


async def test_kill_switch_blocks_approval(service, settings, port):
    thread, pid = await _submitted(service)
    set_controls(open_app_db(settings.app_db_url), actor="admin1", actions_enabled=False)
    with pytest.raises(ActionsDisabled):
        await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR)
    assert port.action_rows() == []


async def test_new_question_waits_while_proposals_are_submitted(service):
    thread, _ = await _submitted(service)
    with pytest.raises(ThreadAwaitingApproval):
        await service.ask("another question", thread_id=thread)


async def test_new_question_supersedes_unsubmitted_proposals(service):
    first = await service.ask(f"Customer says {UETR_STUCK} never arrived")
    second = await service.ask("What does the procedure say about G002?", thread_id=first.thread_id)
    assert second.turn == 2
    assert service.store.get_proposal(first.proposals[0]["id"])["status"] == "rejected"


async def test_another_analyst_cannot_use_the_thread(service):
    first = await service.ask(f"Customer says {UETR_STUCK} never arrived", user="analyst1")
    with pytest.raises(NotAuthorised):
        await service.ask("hi", thread_id=first.thread_id, user="analyst2")
    with pytest.raises(NotAuthorised):
        await service.submit(first.thread_id, user="analyst2")
