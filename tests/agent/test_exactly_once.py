"""Exactly-once execution: SIGKILL the process at each step between approval and recorded result, then resume.

Each step runs in its own forked process (a fresh event loop, service, checkpointer connection and store), so
the kill loses everything in memory exactly as a crashed worker would.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from pathlib import Path

import pytest

from agent.faults import POINTS
from tests.agent.fakes import FakePaymentPort
from tests.agent.kill_runner import run_step
from tests.approvals import claims_of


def _step(step: str, data_dir: Path, thread: str | None = None, fault: str | None = None) -> tuple[int, dict]:
    out = data_dir / f"out-{step}-{fault}.json"
    out.unlink(missing_ok=True)
    process = multiprocessing.get_context("fork").Process(
        target=run_step, args=(step, str(data_dir), thread, str(out), fault)
    )
    process.start()
    process.join(120)
    assert process.exitcode is not None, "step hung"
    return process.exitcode, (json.loads(out.read_text()) if out.exists() else {})


@pytest.mark.parametrize("fault", POINTS)
def test_killed_between_approval_and_record_executes_exactly_once(tmp_path, fault):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code, setup = _step("setup", data_dir)
    assert code == 0
    thread = setup["thread"]

    code, _ = _step("decide", data_dir, thread, fault=fault)
    assert code == -signal.SIGKILL  # the fault point was reached and the process died there

    code, out = _step("recover", data_dir, thread)
    assert code == 0
    assert out["status"] == "completed"
    assert [p["status"] for p in out["proposals"]] == ["executed"]
    assert [e["status"] for e in out["executions"]] == ["executed"]

    code, _ = _step("recover", data_dir, thread)  # a second restart changes nothing
    assert code == 0
    rows = FakePaymentPort(data_dir / "payments-actions.db", []).action_rows()
    assert len(rows) == 1, rows
    signed = claims_of(rows[0][4])
    assert (signed["proposal_id"], signed["approver"]) == (setup["proposal"], "supervisor1")


def test_without_a_fault_the_decision_executes_in_the_same_process(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _, setup = _step("setup", data_dir)
    code, out = _step("decide", data_dir, setup["thread"])
    assert code == 0 and out["status"] == "completed"
    assert len(FakePaymentPort(data_dir / "payments-actions.db", []).action_rows()) == 1


@pytest.mark.parametrize("fault", ["after_decision", "after_execute"])
def test_start_up_recovery_executes_approved_work_exactly_once(tmp_path, fault):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _, setup = _step("setup", data_dir)
    code, _ = _step("decide", data_dir, setup["thread"], fault=fault)
    assert code == -signal.SIGKILL
    code, out = _step("start", data_dir, setup["thread"])  # nobody names the thread: start-up finds it
    assert code == 0 and out["recovered"] == {"threads": [setup["thread"]], "failed": []}
    assert [p["status"] for p in out["proposals"]] == ["executed"]
    code, out = _step("start", data_dir, setup["thread"])
    assert code == 0 and out["recovered"] == {"threads": [], "failed": []}
    assert len(FakePaymentPort(data_dir / "payments-actions.db", []).action_rows()) == 1
