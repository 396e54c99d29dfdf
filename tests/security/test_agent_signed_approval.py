"""The agent's approved write reaches the real payments API with a signed approval, and both sides audit it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent.service import AgentService
from core.audit import AuditLog
from core.schema import open_app_db
from core.settings import Settings
from sandbox.generator import seed_database
from sandbox.scenarios import get_scenario
from sandbox.schema import get_payments_engine
from tests.agent.conftest import SUPERVISOR2, sample_hits
from tests.agent.fakes import ListRetriever, ScriptedChatModel, default_script
from tests.sandbox_api.factories import sandbox_systems


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    seed_database(get_payments_engine(settings.payments_db_url), payments=0, seed=7)
    return settings


async def test_approved_write_carries_a_signed_approval_and_is_audited(settings: Settings) -> None:
    audit = AuditLog(open_app_db(settings.app_db_url))
    scenario = get_scenario("mc-g004-usd-cover")
    service = AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script(case_type="missing_cover")),
        systems=sandbox_systems(settings),
        retriever=ListRetriever(sample_hits()),
        audit=audit,
    )
    try:
        result = await service.ask(scenario.analyst_message)
        await service.submit(result.thread_id, user="analyst1")
        pid = result.proposals[0]["id"]
        done = await service.decide(
            result.thread_id, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR2
        )
    finally:
        await service.aclose()
    assert done.executions[0]["status"] == "executed", done.executions
    with sqlite3.connect(settings.resolved_data_dir / "payments.db") as conn:
        [(stored,)] = conn.execute("SELECT approval_ref FROM actions").fetchall()
        [(nonce, proposal, approver)] = conn.execute(
            "SELECT nonce, proposal_id, approver FROM approval_uses"
        ).fetchall()
    assert stored == f"{pid}/supervisor2/{nonce}" and (proposal, approver) == (pid, "supervisor2")
    [executed] = [e for e in audit.events() if e.event_type == "payments_api.action_executed"]
    assert executed.actor == "supervisor2" and executed.payload["proposal_id"] == pid
    assert executed.payload["requester"] == "analyst1" and executed.payload["replayed"] is False
    assert audit.verify().ok
