"""`payinvest release rollback` switches two running worker processes to the previous release: the next turn on
either worker records it, and the audit chain holds the rollback."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from core.audit import AuditLog
from core.cli import app as cli_app
from core.releases import ReleaseStore
from core.schema import open_app_db
from core.settings import get_settings
from tests.app.test_releases import write_report
from tests.scaleout.test_two_workers import login, sse_events

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def ask(url: str) -> dict[str, Any]:
    with login(url, "analyst1") as analyst:
        conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
        r = analyst.post(
            f"/api/conversations/{conv}/messages", json={"message": "What is the cut-off for EUR?"}
        )
        assert r.status_code == 200, r.text
        events = sse_events(r.text)
        assert events[-2][0] == "turn", [e for e in events if e[0] == "error"]
        return events[-2][1]


def test_rollback_reaches_both_running_workers(
    start_worker: Any,
    demo_users: str,
    seeded_payments_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = open_app_db(demo_users)
    store = ReleaseStore(engine, AuditLog(engine))
    first = store.promote(write_report(tmp_path / "a", passed=True, commit="c1"), actor="admin1")
    second = store.promote(write_report(tmp_path / "b", passed=True, commit="c2"), actor="admin1")
    env = {"PAYINVEST_DATABASE_URL": demo_users, "PAYINVEST_PAYMENTS_DATABASE_URL": seeded_payments_url}
    a, b = start_worker(["worker-a", "worker-b"], env)
    assert [ask(w.url)["release_id"] for w in (a, b)] == [second.id, second.id]

    # The command an operator runs, as the logged-in admin, against the same app database.
    monkeypatch.setenv("PAYINVEST_DATABASE_URL", demo_users)
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "cli"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert (
            runner.invoke(
                cli_app, ["login", "admin1", "--password-stdin"], input="payinvest-demo\n"
            ).exit_code
            == 0
        )
        r = runner.invoke(cli_app, ["release", "rollback"])
        assert r.exit_code == 0 and first.id in r.output, r.output
        listed = json.loads(runner.invoke(cli_app, ["release", "list", "--json"]).stdout)
        assert listed["serving"] == first.id
    finally:
        get_settings.cache_clear()

    time.sleep(5.5)  # each worker re-reads the serving release at most every 5 s
    assert [ask(w.url)["release_id"] for w in (a, b)] == [first.id, first.id]
    for worker in (a, b):
        ready = httpx.get(f"{worker.url}/api/health/ready", timeout=10).json()
        assert ready["checks"]["release"]["serving"] == first.id
    [event] = AuditLog(engine).events(event_type="release_rolled_back")
    assert event.actor == "admin1" and event.payload == {"release_id": first.id, "from": second.id}
    assert AuditLog(engine).verify().ok
