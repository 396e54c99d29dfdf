"""One step of an agent thread in its own process: ``ask`` (turn + submit, then a hard exit) or ``decide``.

Usage: ``python -m tests.scaleout.agent_step ask`` or ``... decide THREAD_ID PROPOSAL_ID`` with the worker's
``PAYINVEST_*`` environment. Prints one JSON line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")

SCENARIO = "cnr-g002-intermediary"


def _service() -> Any:
    """The real AgentService on the scripted model, the sandbox payments database and a list retriever."""
    from agent.service import AgentService
    from core.audit import AuditLog
    from core.schema import open_app_db
    from core.settings import Settings
    from tests.agent.conftest import sample_hits
    from tests.agent.fakes import ListRetriever, ScriptedChatModel, default_script
    from tests.sandbox_api.factories import sandbox_systems

    settings = Settings()
    model = ScriptedChatModel(script=default_script())
    return AgentService(
        settings,
        chat_model=model,
        systems=sandbox_systems(settings),
        retriever=ListRetriever(sample_hits()),
        audit=AuditLog(open_app_db(settings.app_db_url)),
    )


async def ask() -> dict[str, Any]:
    """Run the scenario's turn and submit its proposals; the graph stops at the approval interrupt."""
    from sandbox.scenarios import get_scenario

    service = _service()
    result = await service.ask(get_scenario(SCENARIO).analyst_message, user="analyst1")
    submitted = await service.submit(result.thread_id, user="analyst1")
    return {
        "pid": os.getpid(),
        "thread_id": result.thread_id,
        "status": result.status,
        "turn": result.turn,
        "proposal_ids": [p["id"] for p in submitted],
    }


async def decide(thread_id: str, proposal_id: str) -> dict[str, Any]:
    """Approve as supervisor1 from a fresh process; the graph resumes from the Postgres checkpoint."""
    from agent.approvals import Principal

    service = _service()
    try:
        pending = [p["id"] for p in service.pending_approvals()]
        supervisor = Principal(username="supervisor1", role="supervisor", approval_limit_eur=100_000)
        done = await service.decide(
            thread_id, [{"proposal_id": proposal_id, "action": "approve"}], supervisor
        )
        again = [e["type"] async for e in service.resume(thread_id)]  # nothing is left to do
    finally:
        await service.aclose()
    return {
        "pid": os.getpid(),
        "pending_before": pending,
        "status": done.status,
        "turn": done.turn,
        "answer": done.answer,
        "executions": done.executions,
        "resume_events": again,
        "proposals": [
            {"id": p["id"], "status": p["status"], "idempotency_key": p["idempotency_key"]}
            for p in done.proposals
        ],
    }


def main(argv: list[str]) -> None:
    """Run one step and print its JSON; ``ask`` then exits hard, as a killed worker would."""
    out = asyncio.run(ask()) if argv[1] == "ask" else asyncio.run(decide(argv[2], argv[3]))
    sys.stdout.write(json.dumps(out, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0)  # no graceful shutdown: nothing may depend on it


if __name__ == "__main__":
    main(sys.argv)
