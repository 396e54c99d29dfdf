"""SIGKILL of the web server (bench.web_server: the real app, agent and payments API on SQLite) during a
streaming turn and during an approval: the thread goes on after a restart, the approved action is executed
exactly once, the audit chain is intact."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.audit import AuditLog
from core.processes import free_port, serve_process
from core.schema import open_app_db
from core.settings import Settings
from sandbox.actions_schema import actions
from sandbox.scenarios import load_scenarios
from sandbox.schema import get_payments_engine
from tests.servers import logged_in_client

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def _server(data_dir: Path, log: Path, fault: str | None = None) -> Iterator[tuple[str, Any]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PAYINVEST_AGENT_FAULT"}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if fault:
        env["PAYINVEST_AGENT_FAULT"] = fault  # agent.faults: the server SIGKILLs itself at that point
    cmd = [sys.executable, "-m", "bench.web_server", str(port), str(data_dir), "300"]
    base = f"http://127.0.0.1:{port}"
    with serve_process(cmd, f"{base}/api/health/live", log, timeout=180, env=env) as proc:
        yield base, proc


def _ask(client: httpx.Client, conv: str, question: str) -> str:
    with client.stream("POST", f"/api/conversations/{conv}/messages", json={"message": question}) as r:
        assert r.status_code == 200
        return "".join(r.iter_text())


def _chain_ok(data_dir: Path) -> bool:
    return AuditLog(open_app_db(Settings(data_dir=data_dir).app_db_url)).verify().ok


def test_killed_during_a_streaming_turn_the_thread_goes_on(tmp_path: Path) -> None:
    data_dir, question = tmp_path / "data", load_scenarios()[0].analyst_message
    with _server(data_dir, tmp_path / "first.log") as (base, proc):
        analyst = logged_in_client(base, "analyst1")
        conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
        with analyst.stream("POST", f"/api/conversations/{conv}/messages", json={"message": question}) as r:
            next(r.iter_lines())  # the turn has started
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    with _server(data_dir, tmp_path / "second.log") as (base, _):
        analyst = logged_in_client(base, "analyst1")
        thread = analyst.get(f"/api/conversations/{conv}").json()["thread"]
        assert thread["proposals"] == []  # nothing of the lost turn can be submitted
        streamed = _ask(analyst, conv, question)  # the same conversation answers again
        assert "event: turn" in streamed and "event: error" not in streamed
        (turn,) = analyst.get(f"/api/conversations/{conv}").json()["thread"]["turns"]
        assert turn["message"] == question and turn["result"]["answer"]
    assert _chain_ok(data_dir)


def _submitted(analyst: httpx.Client) -> tuple[str, dict[str, Any]]:
    """A conversation whose proposal a supervisor can approve alone (no compliance sign-off)."""
    for scenario in load_scenarios():
        conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
        _ask(analyst, conv, scenario.analyst_message)
        proposals = analyst.get(f"/api/conversations/{conv}").json()["thread"]["proposals"]
        if len(proposals) == 1 and proposals[0]["kind"] == "investigation":
            assert analyst.post(f"/api/conversations/{conv}/submit").status_code == 200
            return conv, proposals[0]
    raise AssertionError("no scenario proposes an investigation")


def test_killed_during_an_approval_the_action_runs_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with _server(data_dir, tmp_path / "setup.log") as (base, _):
        conv, proposal = _submitted(logged_in_client(base, "analyst1"))
    with _server(data_dir, tmp_path / "killed.log", fault="after_decision") as (base, proc):
        supervisor = logged_in_client(base, "supervisor1")
        with pytest.raises(httpx.HTTPError):  # the server dies between the decision and the execution
            supervisor.post(
                f"/api/approvals/{conv}/decide",
                json={"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]},
            )
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
    for run in ("restart", "second-restart"):  # start-up recovery executes it; a second start does nothing
        with _server(data_dir, tmp_path / f"{run}.log") as (base, _):
            thread = logged_in_client(base, "analyst1").get(f"/api/conversations/{conv}").json()["thread"]
            assert [p["status"] for p in thread["proposals"]] == ["executed"]
    engine = get_payments_engine(Settings(data_dir=data_dir).payments_db_url)
    with engine.connect() as conn:
        done = conn.execute(
            select(func.count()).where(actions.c.idempotency_key == proposal["idempotency_key"])
        ).scalar()
    assert done == 1
    assert _chain_ok(data_dir)
