"""The same approval flow with Postgres for the store and the LangGraph checkpoints (AsyncPostgresSaver)."""

from __future__ import annotations

import pytest

from agent.service import AgentService
from core.settings import Settings
from tests.agent.conftest import SUPERVISOR, UETR_STUCK
from tests.agent.fakes import ScriptedChatModel, default_script


@pytest.mark.postgres
async def test_flow_on_postgres(tmp_path, postgres_url, port, retriever):
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url)
    service = AgentService(
        settings, chat_model=ScriptedChatModel(script=default_script()), systems=port, retriever=retriever
    )
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
        await service.submit(result.thread_id, user="analyst1")
    finally:
        await service.aclose()
    again = AgentService(
        settings, chat_model=ScriptedChatModel(script=default_script()), systems=port, retriever=retriever
    )  # a second worker picks the queue up from the database
    try:
        [pending] = again.pending_approvals()
        done = await again.decide(
            result.thread_id, [{"proposal_id": pending["id"], "action": "approve"}], SUPERVISOR
        )
    finally:
        await again.aclose()
    assert done.status == "completed" and len(port.action_rows()) == 1
    assert not (tmp_path / "data" / "checkpoints.db").exists()
