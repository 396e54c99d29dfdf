"""Authorisation matrix: every route × every role (and anonymous), including another analyst's conversation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

DENIED = {401, 403, 404}

# (method, path, body, roles allowed). {own} is analyst1's submitted conversation, {other} is analyst2's unsubmitted one.
ROUTES = [
    ("get", "/api/auth/me", None, {"analyst1", "analyst2", "supervisor1", "compliance1", "admin1"}),
    ("get", "/api/conversations", None, {"analyst1", "analyst2", "supervisor1", "compliance1"}),
    ("post", "/api/conversations", {}, {"analyst1", "analyst2"}),
    ("get", "/api/conversations/{own}", None, {"analyst1", "supervisor1", "compliance1"}),
    ("get", "/api/conversations/{other}", None, {"analyst2", "compliance1"}),
    # before {other} is submitted below: until then supervisors may not read it
    ("get", "/api/conversations/{own}/evidence", None, {"analyst1", "supervisor1", "compliance1"}),
    ("get", "/api/conversations/{other}/evidence", None, {"analyst2", "compliance1"}),
    ("post", "/api/conversations/{own}/messages", {"message": "status?"}, {"analyst1"}),
    ("post", "/api/conversations/{other}/messages", {"message": "status?"}, {"analyst2"}),
    ("post", "/api/conversations/{other}/submit", None, {"analyst2"}),
    ("post", "/api/conversations/{own}/feedback", {"rating": "up"}, {"analyst1"}),
    ("post", "/api/conversations/{other}/feedback", {"rating": "down"}, {"analyst2"}),
    ("get", "/api/approvals", None, {"supervisor1", "compliance1"}),  # compliance signs off (SOP-015 §4.4)
    (
        "post",
        "/api/approvals/{own}/decide",
        {"decisions": [{"proposal_id": "nope", "action": "reject", "reason": "x"}]},
        {"supervisor1", "compliance1"},
    ),
    ("get", "/api/sop/SOP-001/3", None, {"analyst1", "analyst2", "supervisor1", "compliance1"}),
    ("get", "/api/case/PAY-00000042", None, {"analyst1", "analyst2", "supervisor1", "compliance1"}),
    ("get", "/api/compliance/search?user=analyst1", None, {"compliance1"}),
    ("get", "/api/compliance/conversations/{own}/events", None, {"compliance1"}),
    ("get", "/api/compliance/verify", None, {"compliance1"}),
    ("get", "/api/compliance/conversations/{own}/export", None, {"compliance1"}),
    ("get", "/api/admin/users", None, {"admin1"}),
    ("post", "/api/admin/users", {"username": "x" * 40, "role": "analyst", "password": "p" * 12}, {"admin1"}),
    ("post", "/api/admin/users/analyst2/enable", None, {"admin1"}),
    ("get", "/api/admin/controls", None, {"admin1"}),
    ("post", "/api/admin/controls", {"llm_enabled": True}, {"admin1"}),
    ("get", "/api/admin/config", None, {"admin1"}),
    ("get", "/api/admin/eval-candidates", None, {"admin1"}),
    ("post", "/api/admin/eval-candidates/EC-0000000000/dismiss", {"reason": "x"}, {"admin1"}),
    ("post", "/api/admin/eval-candidates/EC-0000000000/accept", {"case_type": "general"}, {"admin1"}),
    ("get", "/api/case-types", None, {"analyst1", "analyst2", "supervisor1", "compliance1", "admin1"}),
    ("get", "/api/codes", None, {"analyst1", "analyst2", "supervisor1", "compliance1", "admin1"}),
    ("post", "/api/auth/logout", None, set()),  # checked separately: every role may log out
]
USERS = ["anonymous", "analyst1", "analyst2", "supervisor1", "compliance1", "admin1"]


@pytest.fixture(scope="module")
def convs(app_env: dict) -> dict[str, str]:
    c = app_env["clients"]
    own = c["analyst1"].post("/api/conversations", json={}).json()["conversation"]["id"]
    c["analyst1"].post(f"/api/conversations/{own}/messages", json={"message": "PAY-00000042 not received"})
    assert c["analyst1"].post(f"/api/conversations/{own}/submit").status_code == 200
    other = c["analyst2"].post("/api/conversations", json={}).json()["conversation"]["id"]
    c["analyst2"].post(f"/api/conversations/{other}/messages", json={"message": "where is it"})
    return {"own": own, "other": other}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), ROUTES[:-1], ids=[f"{m} {p}" for m, p, _, _ in ROUTES[:-1]]
)
def test_route_role_matrix(
    app_env: dict, convs: dict, user: str, method: str, path: str, body, allowed: set
) -> None:
    client = app_env["anon"] if user == "anonymous" else app_env["clients"][user]
    kwargs = {"json": body} if body is not None else {}
    response = getattr(client, method)(path.format(**convs), **kwargs)
    if user in allowed:
        # Allowed roles pass the role check: whatever the outcome, it is not an authorisation refusal.
        assert response.status_code not in DENIED or response.json()["error"]["code"] not in {
            "forbidden",
            "unauthenticated",
            "conversation_not_found",
            "csrf_failed",
        }, response.text
    else:
        assert response.status_code in DENIED, f"{user} reached {method} {path}: {response.status_code}"
        assert response.json()["error"]["code"] in {"forbidden", "unauthenticated", "conversation_not_found"}


def test_other_analysts_conversation_is_invisible(app_env: dict, convs: dict) -> None:
    listed = app_env["clients"]["analyst2"].get("/api/conversations").json()["conversations"]
    assert convs["own"] not in {c["id"] for c in listed}
    assert convs["other"] in {c["id"] for c in listed}
    fresh = app_env["clients"]["analyst2"].post("/api/conversations", json={}).json()["conversation"]["id"]
    sup = app_env["clients"]["supervisor1"].get("/api/conversations").json()["conversations"]
    assert convs["own"] in {c["id"] for c in sup} and fresh not in {c["id"] for c in sup}
    assert app_env["clients"]["supervisor1"].get(f"/api/conversations/{fresh}").status_code == 404


def test_disabled_user_loses_session_at_once(app_env: dict) -> None:
    from tests.app.conftest import login

    app = app_env["app"]
    app.state.users.create(username="temp.analyst", role="analyst", password="temporary-pass-1")
    client = login(TestClient(app), "temp.analyst", "temporary-pass-1")
    assert app_env["clients"]["admin1"].post("/api/admin/users/temp.analyst/disable").status_code == 200
    assert client.get("/api/conversations").status_code == 401
    r = TestClient(app).post(
        "/api/auth/login", json={"username": "temp.analyst", "password": "temporary-pass-1"}
    )
    assert r.status_code == 401


def test_threads_started_outside_the_web_app_keep_their_owner(app_env: dict) -> None:
    import asyncio

    service = app_env["service"]

    async def cli_turn() -> None:
        async for _ in service.stream("asked from the CLI", thread_id="cli-thread-1", user="analyst2"):
            pass

    asyncio.run(cli_turn())
    c = app_env["clients"]
    assert "cli-thread-1" in {
        x["id"] for x in c["analyst2"].get("/api/conversations").json()["conversations"]
    }
    assert c["analyst2"].get("/api/conversations/cli-thread-1").status_code == 200
    assert c["analyst1"].get("/api/conversations/cli-thread-1").status_code == 404
    assert c["supervisor1"].get("/api/conversations/cli-thread-1").status_code == 404
    asyncio.run(service.submit("cli-thread-1", user="analyst2"))
    assert "cli-thread-1" in {
        x["id"] for x in c["supervisor1"].get("/api/conversations").json()["conversations"]
    }
    assert c["supervisor1"].get("/api/conversations/cli-thread-1").status_code == 200
