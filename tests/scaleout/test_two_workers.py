"""Two app workers in separate processes share only PostgreSQL: analyst on A, supervisor on B, one execution."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sandbox.scenarios import get_scenario
from tests.scaleout.conftest import SHARED_APPROVAL_KEY

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


def investigate(analyst: httpx.Client) -> tuple[str, dict, list[dict]]:
    """Open a conversation, ask about the scenario; return its id, the single proposal and the retrieval events."""
    conv = analyst.post("/api/conversations", json={"title": SCENARIO})
    assert conv.status_code == 201, conv.text
    conv_id = conv.json()["conversation"]["id"]
    message = {"message": get_scenario(SCENARIO).analyst_message}
    r = analyst.post(f"/api/conversations/{conv_id}/messages", json=message)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), r.text
    events = sse_events(r.text)
    assert [t for t, _ in events][-2:] == ["turn", "done"], [e for e in events if e[0] == "error"]
    [proposal] = events[-2][1]["proposals"]
    assert (proposal["kind"], proposal["reason_code"]) == ("investigation", "CCNR")
    return conv_id, proposal, [data for t, data in events if t == "retrieval"]


def action_keys(payments_url: str) -> list[str]:
    """Idempotency keys of every row of the payments database's ``actions`` table."""
    from sqlalchemy import text

    from sandbox.schema import get_payments_engine

    with get_payments_engine(payments_url).connect() as conn:
        return list(
            conn.execute(text("SELECT idempotency_key FROM actions WHERE kind = 'investigation'")).scalars()
        )


@pytest.fixture
def workers(start_worker, demo_users: str, seeded_payments_url: str, chroma_index) -> Iterator[tuple]:
    """Workers A and B: separate processes and data dirs; one app database, one payments database, one Chroma."""
    chroma_url, bm25 = chroma_index
    env = {
        "PAYINVEST_DATABASE_URL": demo_users,
        "PAYINVEST_PAYMENTS_DATABASE_URL": seeded_payments_url,
        "PAYINVEST_CHROMA_URL": chroma_url,
    }
    a, b = start_worker(["worker-a", "worker-b"], env, bm25_from=bm25)  # a rolling start
    yield a, b, demo_users, seeded_payments_url


@pytest.fixture
def api_workers(start_worker, demo_users: str, payments_api, seeded_payments_url: str) -> Iterator[tuple]:
    """Workers A and B calling one remote payments API (``PAYINVEST_PAYMENTS_API_URL``) instead of its database."""
    url, token = payments_api
    env = {
        "PAYINVEST_DATABASE_URL": demo_users,
        "PAYINVEST_PAYMENTS_API_URL": url,
        "PAYINVEST_PAYMENTS_API_TOKEN": token,
        "PAYINVEST_APPROVAL_KEY": SHARED_APPROVAL_KEY,
    }
    a, b = start_worker(["worker-a", "worker-b"], env)
    yield a, b, demo_users, seeded_payments_url


def test_analyst_on_a_supervisor_on_b_executes_once(workers, chroma_index) -> None:
    from sqlalchemy import text

    from agent.nodes.reads import instructs
    from agent.ports import hit_to_dict
    from core.audit import AuditLog
    from core.schema import open_app_db
    from core.settings import Settings
    from retrieval.search import open_retriever
    from sandbox.schema import get_payments_engine
    from tests.scaleout.embedder import ProjectionEmbedder

    a, b, app_url, payments_url = workers
    index = open_retriever(
        Settings(data_dir=chroma_index[1].parent, chroma_url=chroma_index[0]), embedder=ProjectionEmbedder()
    )
    who_a, who_b = (httpx.get(f"{w.url}/api/scaleout/whoami").json() for w in (a, b))
    assert who_a["pid"] != who_b["pid"]
    assert who_a["retriever"] == who_b["retriever"] == "Retriever"  # the real index, served by Chroma
    with login(a.url, "analyst1") as analyst, login(b.url, "supervisor1") as supervisor:
        conv_id, proposal, retrievals = investigate(analyst)
        assert retrievals and all(r["hits"] for r in retrievals)
        listing = "claim_non_receipt procedure"  # the case type's own SOP (agent.nodes.reads.own_procedure)
        assert [r["query"] for r in retrievals].count(listing) == 1
        at = [r["query"] for r in retrievals].index(listing)
        for r in retrievals[:at] + retrievals[at + 1 :]:  # worker A searched the Chroma-served index: same
            # hits as a direct search with the agent's own filter: it over-fetches and skips Purpose and Scope
            found = index.search(r["query"], k=len(r["hits"]) + 6, case_type="claim_non_receipt")
            direct = [h for h in map(hit_to_dict, found) if instructs(h)][: len(r["hits"])]
            assert [h["chunk_id"] for h in r["hits"]] == [h["chunk_id"] for h in direct]
        seen = {h["citation"] for r in retrievals[:at] for h in r["hits"]}
        own = [h.chunk_id for h in index.procedure("claim_non_receipt") if h.citation not in seen]
        assert own and [h["chunk_id"] for h in retrievals[at]["hits"]] == own
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
        supervisor_on_a = httpx.Client(
            base_url=a.url,
            timeout=60,
            cookies=supervisor.cookies,
            headers={"X-CSRF-Token": supervisor.headers["X-CSRF-Token"]},
        )
        with supervisor_on_a:
            assert supervisor_on_a.get("/api/auth/me").json()["user"]["username"] == "supervisor1"
            again = supervisor_on_a.post(f"/api/approvals/{conv_id}/decide", json=decide)
            assert 400 <= again.status_code < 500, again.text
            assert set(again.json()["error"]) == {"code", "message"}
            assert supervisor_on_a.get("/api/approvals").json()["approvals"] == []

        thread = analyst.get(f"/api/conversations/{conv_id}").json()["thread"]  # analyst still on worker A
        assert [p["status"] for p in thread["proposals"]] == ["executed"]

    assert action_keys(payments_url) == [proposal["idempotency_key"]]
    with get_payments_engine(payments_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM actions")).scalar_one() == 1

    audit = AuditLog(open_app_db(app_url))
    result = audit.verify()
    assert result.ok and result.first_broken_seq is None, result
    with open_app_db(app_url).connect() as conn:
        seen = conn.execute(text("SELECT actor, event_type FROM audit_events ORDER BY seq")).all()
    assert result.checked == len(seen)
    assert ("analyst1", "login") in seen and ("supervisor1", "login") in seen  # one chain, both workers
    assert {"analyst1", "supervisor1"} <= {actor for actor, _ in seen}
    by_actor = {actor: {t for a2, t in seen if a2 == actor} for actor, _ in seen}
    assert {"login", "conversation_created", "agent.user_message"} <= by_actor["analyst1"], seen  # worker A
    assert {"login", "agent.decision"} <= by_actor["supervisor1"], seen  # worker B


def test_two_workers_start_together_on_an_empty_database(
    start_worker, postgres_url: str, payments_postgres_url: str
) -> None:
    """Replicas started at the same moment on a fresh database must both come up (schema creation races)."""
    env = {"PAYINVEST_DATABASE_URL": postgres_url, "PAYINVEST_PAYMENTS_DATABASE_URL": payments_postgres_url}
    a, b = start_worker(["worker-a", "worker-b"], env, together=True)
    for worker in (a, b):
        assert httpx.get(f"{worker.url}/api/health", timeout=10).json()["ok"] is True


def test_simultaneous_approvals_on_both_workers_execute_once(api_workers) -> None:
    """Two supervisors press Approve at the same moment on different workers: one execution, clear refusal."""
    from core.audit import AuditLog
    from core.schema import open_app_db

    a, b, app_url, payments_url = api_workers
    assert httpx.get(f"{b.url}/api/scaleout/whoami").json()["payments_api_url"]
    with login(a.url, "analyst1") as analyst:
        conv_id, proposal, _ = investigate(analyst)
        assert analyst.post(f"/api/conversations/{conv_id}/submit").status_code == 200
        with login(a.url, "supervisor1") as on_a, login(b.url, "supervisor2") as on_b:
            decide = {"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]}
            with login(b.url, "admin1") as admin:  # a kill switch flipped on B stops approvals on A at once
                assert admin.post("/api/admin/controls", json={"actions_enabled": False}).status_code == 200
                refused = on_a.post(f"/api/approvals/{conv_id}/decide", json=decide)
                assert (refused.status_code, refused.json()["error"]["code"]) == (423, "actions_disabled")
                assert admin.post("/api/admin/controls", json={"actions_enabled": True}).status_code == 200
            assert action_keys(payments_url) == []
            barrier = threading.Barrier(2)

            def press(client: httpx.Client) -> httpx.Response:
                barrier.wait(timeout=10)
                return client.post(f"/api/approvals/{conv_id}/decide", json=decide)

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(press, [on_a, on_b]))
        codes = sorted(r.status_code for r in answers)
        assert codes[0] == 200 and (codes[1] == 200 or 400 <= codes[1] < 500), [r.text for r in answers]
        for r in answers:
            if r.status_code != 200:
                assert set(r.json()["error"]) == {"code", "message"}, r.text
        thread = analyst.get(f"/api/conversations/{conv_id}").json()["thread"]
        assert [p["status"] for p in thread["proposals"]] == ["executed"]
    assert action_keys(payments_url) == [proposal["idempotency_key"]]
    assert AuditLog(open_app_db(app_url)).verify().ok
