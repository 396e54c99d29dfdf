"""Runs one step of the approval flow in its own process (the exactly-once kill test drives it)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from agent.service import AgentService
from core.settings import Settings
from tests.agent.conftest import SUPERVISOR, UETR_STUCK, sample_hits, sample_payments
from tests.agent.fakes import (
    FakeClassifier,
    FakePaymentPort,
    ListRetriever,
    ScriptedChatModel,
    default_script,
)


async def main(step: str, data_dir: str, thread: str | None) -> dict:
    settings = Settings(data_dir=Path(data_dir))
    port = FakePaymentPort(Path(data_dir) / "payments-actions.db", sample_payments())
    service = AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script()),
        systems=port,
        retriever=ListRetriever(sample_hits()),
        # a forked child must not load torch models (fork after torch threads started can hang)
        classifier=FakeClassifier(),
    )
    try:
        if step == "setup":
            result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
            await service.submit(result.thread_id, user="analyst1")
            return {"thread": result.thread_id, "proposal": result.proposals[0]["id"]}
        assert thread
        if step == "decide":
            pid = service.store.list_proposals(thread_id=thread)[0]["id"]
            result = await service.decide(thread, [{"proposal_id": pid, "action": "approve"}], SUPERVISOR)
        elif step == "start":  # a restarted web app: start-up recovery finds the thread by itself
            recovered = await service.recover()
            result = await service._result(thread)
            return {"status": result.status, "proposals": result.proposals, "recovered": recovered}
        else:  # recover: what a restarted worker does for threads left mid-flight
            async for _ in service.resume(thread):
                pass
            result = await service._result(thread)
        return {"status": result.status, "executions": result.executions, "proposals": result.proposals}
    finally:
        await service.aclose()


def run_step(step: str, data_dir: str, thread: str | None, out_path: str, fault: str | None) -> None:
    """Entry point of a forked child: optionally arm a fault point, run the step, write its JSON result."""
    import os

    from agent.faults import FAULT_ENV

    os.environ.pop(FAULT_ENV, None)
    if fault:
        os.environ[FAULT_ENV] = fault
    out = asyncio.run(main(step, data_dir, thread))
    Path(out_path).write_text(json.dumps(out, default=str))


if __name__ == "__main__":
    out = asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
    print(json.dumps(out, default=str))
