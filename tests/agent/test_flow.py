"""End to end through AgentService with the scripted model: ask, submit, approve, execute, summary."""

from __future__ import annotations

from tests.agent.conftest import SUPERVISOR, UETR_STUCK
from tests.agent.fakes import default_script


async def test_claim_non_receipt_proposes_ccnr_and_executes_once_after_approval(make_service, port):
    service = make_service(default_script(steps=[{"tool": "get_screening", "reference": "PAY-00000001"}]))
    try:
        result = await service.ask(f"Customer says payment {UETR_STUCK} never arrived", user="analyst1")
        assert result.case_type == "claim_non_receipt"
        assert {c.name for c in result.tool_calls} >= {"get_payment", "get_tracker", "get_screening"}
        assert result.status == "awaiting_approval"
        [proposal] = result.proposals
        assert proposal["kind"] == "investigation" and proposal["reason_code"] == "CCNR"
        assert "responder_bic" not in proposal["args"]  # routed by the payments API (docs/iso20022.md)
        assert proposal["status"] == "proposed"
        assert result.citations[:2] == ["E2", "SOP-002 §3"]  # the summary's, then the findings'
        assert port.action_rows() == []

        await service.submit(result.thread_id, user="analyst1")
        assert [p["id"] for p in service.pending_approvals()] == [proposal["id"]]
        done = await service.decide(
            result.thread_id, [{"proposal_id": proposal["id"], "action": "approve"}], SUPERVISOR
        )
        assert done.status == "completed"
        assert [e["status"] for e in done.executions] == ["executed"]
        assert done.proposals[0]["status"] == "executed"
        assert len(port.action_rows()) == 1
        assert service.pending_approvals() == []
    finally:
        await service.aclose()


async def test_a_reply_cut_by_the_token_cap_loses_its_unfinished_sentence(make_service):
    from agent.config import AgentConfig
    from agent.nodes.answer import finished_part

    assert finished_part("The payment is stuck [E2]. It sits at") == "The payment is stuck [E2]."
    assert finished_part("No sentence ends here") == ""
    answer = "The payment is stuck [E2] per [SOP-002 §3]. An investigation awaits the approval of a supervisor in the"
    service = make_service(default_script(answer=answer), config=AgentConfig(answer_max_tokens=16))
    try:
        result = await service.ask(f"Customer says payment {UETR_STUCK} never arrived", user="analyst1")
        head = result.answer.split("\n\n")[0]
        assert head == "The payment is stuck [E2] per [SOP-002 §3].", result.answer
        assert "awaits the approval of a" not in result.answer
    finally:
        await service.aclose()
