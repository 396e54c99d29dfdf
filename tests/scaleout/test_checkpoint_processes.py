"""An agent thread interrupted for approval in one process resumes in another against the same Postgres."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def run_step(args: list[str], env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    """Run ``tests.scaleout.agent_step`` in a new process with its own data directory; return its JSON line."""
    full_env = {
        **os.environ,
        **env,
        "PAYINVEST_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(PROJECT_ROOT),
        "HF_HUB_OFFLINE": "1",
        "RAGAS_DO_NOT_TRACK": "true",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tests.scaleout.agent_step", *args],
        cwd=PROJECT_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_interrupted_thread_resumes_in_another_process(
    tmp_path: Path, postgres_url: str, seeded_payments_url: str
) -> None:
    from sqlalchemy import text

    from core.db import get_engine
    from sandbox.schema import get_payments_engine

    env = {"PAYINVEST_DATABASE_URL": postgres_url, "PAYINVEST_PAYMENTS_DATABASE_URL": seeded_payments_url}
    first = run_step(["ask"], env, tmp_path / "one")
    assert first["status"] == "awaiting_approval" and len(first["proposal_ids"]) == 1
    with get_engine(postgres_url).connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM checkpoints WHERE thread_id = :t"), {"t": first["thread_id"]}
        ).scalar_one()
    assert stored > 0  # the interrupted graph lives in Postgres, not in the dead process

    second = run_step(["decide", first["thread_id"], first["proposal_ids"][0]], env, tmp_path / "two")
    assert second["pid"] != first["pid"]
    assert second["pending_before"] == first["proposal_ids"]
    assert second["status"] == "completed" and second["turn"] == first["turn"]
    # The resumed graph's closing reply, rendered from the proposal record written in the second process.
    proposal = first["proposal_ids"][0]
    assert (
        f"{proposal}: the " in second["answer"]
        and "was approved by supervisor1 and sent as" in second["answer"]
    )
    assert [p["status"] for p in second["proposals"]] == ["executed"]
    assert second["resume_events"] == []
    for data_dir in (tmp_path / "one", tmp_path / "two"):
        assert not (data_dir / "checkpoints.db").exists() and not (data_dir / "payinvest.db").exists()
    with get_payments_engine(seeded_payments_url).connect() as conn:
        keys = conn.execute(text("SELECT idempotency_key FROM actions")).scalars().all()
    assert keys == [second["proposals"][0]["idempotency_key"]]


async def test_two_workers_set_up_the_checkpointer_at_the_same_time(
    tmp_path: Path, postgres_url: str
) -> None:
    """The first turns of two fresh workers open the Postgres checkpointer together: both must succeed."""
    import asyncio
    import contextlib

    from agent.checkpoint import open_checkpointer
    from core.settings import Settings

    settings = [Settings(data_dir=tmp_path / name, database_url=postgres_url) for name in ("a", "b")]
    async with contextlib.AsyncExitStack() as stack_a, contextlib.AsyncExitStack() as stack_b:
        opened = await asyncio.wait_for(
            asyncio.gather(
                open_checkpointer(settings[0], stack_a),
                open_checkpointer(settings[1], stack_b),
                return_exceptions=True,
            ),
            timeout=60,
        )
    failures = [f"{type(x).__name__}: {x}" for x in opened if isinstance(x, BaseException)]
    assert failures == []
