"""Two app workers in separate processes share only PostgreSQL: analyst on A, supervisor on B, one execution."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import httpx
import pytest

from tools.sandbox.scenarios import get_scenario

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PASSWORD = "payinvest-demo"
SCENARIO = "cnr-g002-intermediary"


def sse_events(text: str) -> list[tuple[str, dict]]:
    """Parse a complete text/event-stream body into (event, data) pairs."""
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        out.append((fields["event"], json.loads(fields["data"])))
    return out


@contextlib.contextmanager
def login(url: str, username: str) -> Iterator[httpx.Client]:
    """An httpx client logged in on one worker, sending the CSRF header on every request."""
    with httpx.Client(base_url=url, timeout=60) as client:
        r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield client


@pytest.fixture
def workers(start_worker, demo_users: str, seeded_payments_url: str) -> Iterator[tuple]:
    """Workers A and B: separate processes and data dirs, one app database and one payments database."""
    env = {"PAYINVEST_DATABASE_URL": demo_users, "PAYINVEST_PAYMENTS_DATABASE_URL": seeded_payments_url}
    a, b = start_worker(["worker-a", "worker-b"], env)  # a rolling start; each has its own data directory
    yield a, b, demo_users, seeded_payments_url


def test_analyst_on_a_supervisor_on_b_executes_once(workers, tmp_path) -> None:
    from sqlalchemy import text

    from app.audit import AuditLog
    from app.db import get_engine
    from tools.sandbox.schema import get_payments_engine

    a, b, app_url, payments_url = workers
    pid_a = httpx.get(f"{a.url}/api/scaleout/whoami").json()["pid"]
    pid_b = httpx.get(f"{b.url}/api/scaleout/whoami").json()["pid"]
    assert pid_a != pid_b
    with login(a.url, "analyst1") as analyst, login(b.url, "supervisor1") as supervisor:
        conv = analyst.post("/api/conversations", json={"title": SCENARIO})
        assert conv.status_code == 201, conv.text
        conv_id = conv.json()["conversation"]["id"]
        r = analyst.post(f"/api/conversations/{conv_id}/messages",
                         json={"message": get_scenario(SCENARIO).analyst_message})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), r.text
        events = sse_events(r.text)
        assert [t for t, _ in events][-2:] == ["turn", "done"], [e for e in events if e[0] == "error"]
        [proposal] = events[-2][1]["proposals"]
        assert (proposal["kind"], proposal["reason_code"]) == ("investigation", "CCNR")

        assert supervisor.get("/api/approvals").json()["approvals"] == []  # not submitted yet
        assert analyst.post(f"/api/conversations/{conv_id}/submit").status_code == 200
        queue = supervisor.get("/api/approvals").json()["approvals"]  # worker B reads what A wrote
        assert [p["id"] for p in queue] == [proposal["id"]]
        assert supervisor.get(f"/api/conversations/{conv_id}").status_code == 200

        decide = {"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]}
        r = supervisor.post(f"/api/approvals/{conv_id}/decide", json=decide)
        assert r.status_code == 200, r.text
        assert r.json()["result"]["status"] == "completed"

        # The supervisor's session is valid on worker A too; approving again there executes nothing more.
        supervisor_on_a = httpx.Client(base_url=a.url, timeout=60, cookies=supervisor.cookies,
                                       headers={"X-CSRF-Token": supervisor.headers["X-CSRF-Token"]})
        with supervisor_on_a:
            assert supervisor_on_a.get("/api/auth/me").json()["user"]["username"] == "supervisor1"
            again = supervisor_on_a.post(f"/api/approvals/{conv_id}/decide", json=decide)
            assert 400 <= again.status_code < 500, again.text
            assert set(again.json()["error"]) == {"code", "message"}
            assert supervisor_on_a.get("/api/approvals").json()["approvals"] == []

        thread = analyst.get(f"/api/conversations/{conv_id}").json()["thread"]  # analyst still on worker A
        assert [p["status"] for p in thread["proposals"]] == ["executed"]

    with get_payments_engine(payments_url).connect() as conn:
        rows = conn.execute(text("SELECT idempotency_key, kind, payment_id FROM actions")).all()
    assert [(k, kind) for k, kind, _ in rows] == [(proposal["idempotency_key"], "investigation")]

    audit = AuditLog(get_engine(app_url))
    result = audit.verify()
    assert result.ok and result.first_broken_seq is None, result
    with get_engine(app_url).connect() as conn:
        seen = conn.execute(text("SELECT actor, event_type FROM audit_events ORDER BY seq")).all()
    assert result.checked == len(seen)
    assert ("analyst1", "login") in seen and ("supervisor1", "login") in seen  # one chain, both workers
    assert {"analyst1", "supervisor1"} <= {actor for actor, _ in seen}
    by_actor = {actor: {t for a2, t in seen if a2 == actor} for actor, _ in seen}
    assert {"login", "conversation_created", "agent.user_message"} <= by_actor["analyst1"], seen  # worker A
    assert {"login", "agent.decision"} <= by_actor["supervisor1"], seen  # worker B


def test_two_workers_start_together_on_an_empty_database(start_worker, postgres_url: str,
                                                         payments_postgres_url: str) -> None:
    """Replicas started at the same moment on a fresh database must both come up (schema creation races)."""
    env = {"PAYINVEST_DATABASE_URL": postgres_url, "PAYINVEST_PAYMENTS_DATABASE_URL": payments_postgres_url}
    a, b = start_worker(["worker-a", "worker-b"], env, together=True)
    for worker in (a, b):
        assert httpx.get(f"{worker.url}/api/health", timeout=10).json()["ok"] is True
