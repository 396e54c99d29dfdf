"""The analyst → supervisor → compliance flow over the JSON API, plus CSRF, lockout and bad input."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import login


def _events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_full_flow(app_env: dict) -> None:
    c = app_env["clients"]
    conv = c["analyst1"].post("/api/conversations", json={}).json()["conversation"]
    r = c["analyst1"].post(f"/api/conversations/{conv['id']}/messages", json={"message": "PAY never arrived"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    types = [t for t, _ in events]
    assert types[0] == "intake" and "token" in types and types[-2:] == ["turn", "done"]
    proposal = events[-2][1]["proposals"][0]
    assert c["supervisor1"].get("/api/approvals").json()["approvals"] == []
    assert c["analyst1"].post(f"/api/conversations/{conv['id']}/submit").status_code == 200
    queue = c["supervisor1"].get("/api/approvals").json()["approvals"]
    assert [p["id"] for p in queue] == [proposal["id"]]
    # The supervisor may now read the conversation behind the proposal.
    assert c["supervisor1"].get(f"/api/conversations/{conv['id']}").status_code == 200
    body = {"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]}
    r = c["supervisor1"].post(f"/api/approvals/{conv['id']}/decide", json=body)
    assert r.status_code == 200, r.text
    assert app_env["service"].executed == [proposal["id"]]
    thread = c["analyst1"].get(f"/api/conversations/{conv['id']}").json()["thread"]
    assert thread["proposals"][0]["status"] == "executed"
    fb = c["analyst1"].post(
        f"/api/conversations/{conv['id']}/feedback", json={"rating": "up", "comment": "ok"}
    )
    assert fb.status_code == 201
    found = (
        c["compliance1"].get("/api/compliance/search", params={"user": "analyst1"}).json()["conversations"]
    )
    assert conv["id"] in {x["conversation_id"] for x in found}
    uetr = "1b4e28ba-2fa1-4d2b-883f-0016d3cca427"
    found = (
        c["compliance1"].get("/api/compliance/search", params={"uetr": uetr, "kind": "investigation"}).json()
    )
    assert conv["id"] in {x["conversation_id"] for x in found["conversations"]}
    today = datetime.now(UTC).date().isoformat()
    found = c["compliance1"].get("/api/compliance/search", params={"since": today, "until": today}).json()
    assert conv["id"] in {x["conversation_id"] for x in found["conversations"]}
    found = c["compliance1"].get("/api/compliance/search", params={"until": "2000-01-01"}).json()
    assert found["conversations"] == []
    replay = c["compliance1"].get(f"/api/compliance/conversations/{conv['id']}/events").json()["events"]
    assert {"conversation_created", "user_message", "approval", "feedback"} <= {
        e["event_type"] for e in replay
    }
    assert c["compliance1"].get("/api/compliance/verify").json()["ok"] is True
    masked = c["compliance1"].get(f"/api/compliance/conversations/{conv['id']}/export")
    assert masked.status_code == 200 and masked.headers["content-type"] == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(masked.content))
    assert set(pack.namelist()) == {"events.jsonl", "manifest.json", "transcript.md"}
    events_text = pack.read("events.jsonl").decode()
    assert "Ada Lovelace" not in events_text and "DE89370400440532013000" not in events_text
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["chain_verification"]["ok"] and manifest["personal_data_masked"]
    unmasked = c["compliance1"].get(f"/api/compliance/conversations/{conv['id']}/export?unmask=true")
    assert "Ada Lovelace" in zipfile.ZipFile(io.BytesIO(unmasked.content)).read("events.jsonl").decode()


def test_four_eyes_and_tier_errors_are_clear(app_env: dict) -> None:
    c = app_env["clients"]
    service = app_env["service"]
    conv = c["analyst2"].post("/api/conversations", json={"title": "big"}).json()["conversation"]
    service.amount_eur = 2_000_000.0
    try:
        c["analyst2"].post(f"/api/conversations/{conv['id']}/messages", json={"message": "recall please"})
    finally:
        service.amount_eur = 25_000.0
    c["analyst2"].post(f"/api/conversations/{conv['id']}/submit")
    pid = service.threads[conv["id"]]["proposals"][0]["id"]
    body = {"decisions": [{"proposal_id": pid, "action": "approve"}]}
    r = c["supervisor1"].post(f"/api/approvals/{conv['id']}/decide", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "approval_limit_exceeded"
    r = c["supervisor2"].post(
        f"/api/approvals/{conv['id']}/decide", json={"decisions": [{"proposal_id": pid, "action": "reject"}]}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    assert service.threads[conv["id"]]["proposals"][0]["status"] == "submitted"


def test_csrf_header_is_required_for_writes(app_env: dict) -> None:
    client = TestClient(app_env["app"])
    token = client.post("/api/auth/login", json={"username": "analyst1", "password": "payinvest-demo"}).json()
    r = client.post("/api/conversations", json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.post("/api/conversations", json={}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/api/conversations", json={}, headers={"X-CSRF-Token": token["csrf_token"]})
    assert r.status_code == 201
    assert client.cookies.get("payinvest_session")


def test_logout_ends_the_session(app_env: dict) -> None:
    client = login(TestClient(app_env["app"]), "analyst2")
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_lockout_after_five_failures_and_logins_are_audited(app_env: dict) -> None:
    app = app_env["app"]
    app.state.users.create(username="locky", role="analyst", password="correct-horse-battery")
    client = TestClient(app)
    for _ in range(4):
        r = client.post("/api/auth/login", json={"username": "locky", "password": "wrong-password"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
    r = client.post("/api/auth/login", json={"username": "locky", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"  # no lockout oracle
    r = client.post("/api/auth/login", json={"username": "locky", "password": "correct-horse-battery"})
    assert r.status_code == 401  # locked for this client, answered like a wrong password
    failures = app.state.audit.events(actor="locky", event_type="login_failed")
    assert len(failures) == 6
    assert app.state.audit.events(actor="analyst1", event_type="login")


@pytest.mark.parametrize(
    ("user", "method", "path", "body", "status", "code"),
    [
        ("analyst1", "post", "/api/conversations/{conv}/messages", {"message": ""}, 422, "invalid_request"),
        (
            "analyst1",
            "post",
            "/api/conversations/{conv}/messages",
            {"message": "x" * 4001},
            422,
            "invalid_request",
        ),
        ("analyst1", "post", "/api/conversations/{conv}/messages", {"msg": "hi"}, 422, "invalid_request"),
        ("analyst1", "post", "/api/conversations", {"title": "t" * 201}, 422, "invalid_request"),
        ("analyst1", "post", "/api/conversations/{conv}/feedback", {"rating": "meh"}, 422, "invalid_request"),
        (
            "analyst1",
            "post",
            "/api/conversations/{conv}/feedback",
            {"rating": "up", "comment": "c" * 2001},
            422,
            "invalid_request",
        ),
        ("analyst1", "post", "/api/conversations/nope/submit", None, 404, "conversation_not_found"),
        ("analyst1", "get", "/api/sop/SOP-1/3", None, 422, "invalid_citation"),
        ("analyst1", "get", "/api/sop/SOP-001/99", None, 404, "section_not_found"),
        ("analyst1", "get", "/api/case/%3Cscript%3E", None, 422, "invalid_reference"),
        ("analyst1", "get", "/api/case/PAY-00000042?case_type=nope", None, 422, "invalid_request"),
        ("supervisor1", "post", "/api/approvals/{conv}/decide", {"decisions": []}, 422, "invalid_request"),
        (
            "supervisor1",
            "post",
            "/api/approvals/{conv}/decide",
            {"decisions": [{"proposal_id": "x", "action": "yolo"}]},
            422,
            "invalid_request",
        ),
        (
            "supervisor1",
            "post",
            "/api/approvals/{conv}/decide",
            {"decisions": [{"proposal_id": "x", "action": "edit"}]},
            422,
            "args_required",
        ),
        (
            "supervisor1",
            "post",
            "/api/approvals/{conv}/decide",
            {"decisions": [{"proposal_id": "x", "action": "approve"}]},
            404,
            "thread_not_found",
        ),
        ("compliance1", "get", "/api/compliance/search?since=yesterday", None, 422, "invalid_date"),
        ("compliance1", "get", "/api/compliance/search?kind=steal", None, 422, "invalid_kind"),
        ("compliance1", "get", "/api/compliance/search?user=a%20b", None, 422, "invalid_query"),
        (
            "compliance1",
            "get",
            "/api/compliance/conversations/none/export",
            None,
            404,
            "conversation_not_found",
        ),
        (
            "admin1",
            "post",
            "/api/admin/users",
            {"username": "Bad Name!", "role": "analyst", "password": "long-enough-pass"},
            422,
            "invalid_user",
        ),
        (
            "admin1",
            "post",
            "/api/admin/users",
            {"username": "newbie", "role": "king", "password": "long-enough-pass"},
            422,
            "invalid_user",
        ),
        (
            "admin1",
            "post",
            "/api/admin/users",
            {"username": "newbie", "role": "analyst", "password": "short"},
            422,
            "invalid_request",
        ),
        (
            "admin1",
            "post",
            "/api/admin/users",
            {"username": "analyst1", "role": "analyst", "password": "long-enough-pass"},
            409,
            "user_exists",
        ),
        ("admin1", "post", "/api/admin/users/ghost/disable", None, 404, "user_not_found"),
        ("admin1", "post", "/api/admin/users/admin1/disable", None, 409, "cannot_disable_self"),
        ("admin1", "post", "/api/admin/controls", {}, 422, "nothing_to_change"),
        ("admin1", "post", "/api/admin/controls", {"llm_enabled": "maybe"}, 422, "invalid_request"),
        ("admin1", "get", "/api/nothing-here", None, 404, "not_found"),
    ],
)
def test_bad_input_gets_typed_4xx_and_changes_nothing(
    app_env: dict, user: str, method: str, path: str, body: dict | None, status: int, code: str
) -> None:
    c = app_env["clients"]
    conv = c["analyst1"].post("/api/conversations", json={"title": "bad input"}).json()["conversation"]["id"]
    audit = app_env["app"].state.audit
    before = (audit.verify().checked, len(app_env["app"].state.users.list_users()))
    kwargs = {"json": body} if body is not None else {}
    r = getattr(c[user], method)(path.format(conv=conv), **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    after = (audit.verify().checked, len(app_env["app"].state.users.list_users()))
    assert after == before


def test_kill_switches_take_effect_immediately_and_are_audited(app_env: dict) -> None:
    c = app_env["clients"]
    conv = c["analyst1"].post("/api/conversations", json={}).json()["conversation"]["id"]
    assert c["admin1"].post("/api/admin/controls", json={"llm_enabled": False}).status_code == 200
    try:
        r = c["analyst1"].post(f"/api/conversations/{conv}/messages", json={"message": "hello"})
        assert r.status_code == 423 and r.json()["error"]["code"] == "llm_disabled"
    finally:
        c["admin1"].post("/api/admin/controls", json={"llm_enabled": True})
    c["admin1"].post("/api/admin/controls", json={"actions_enabled": False})
    try:
        r = c["supervisor1"].post(
            f"/api/approvals/{conv}/decide", json={"decisions": [{"proposal_id": "x", "action": "approve"}]}
        )
        assert r.status_code == 423 and r.json()["error"]["code"] == "actions_disabled"
    finally:
        c["admin1"].post("/api/admin/controls", json={"actions_enabled": True})
    changes = app_env["app"].state.audit.events(event_type="config_change")
    assert len(changes) >= 4 and changes[-1].payload["after"]["actions_enabled"] is True


def test_untrusted_text_is_served_as_data_not_markup(app_env: dict) -> None:
    r = app_env["clients"]["analyst1"].get("/api/sop/SOP-001/3")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    page = app_env["anon"].get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
