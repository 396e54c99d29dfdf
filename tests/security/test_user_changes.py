"""Admin changes that grant power wait for a second admin: nobody can mint or promote a puppet approver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.server import create_app
from core.audit import AuditLog
from core.cli import app as cli
from core.schema import open_app_db
from core.settings import Settings, get_settings
from core.users import DEMO_PASSWORD, UserNotFound, UserStore
from tests.app.conftest import login
from tests.app.fakes import fast_hasher


@pytest.fixture
def web(tmp_path: Path) -> Iterator[dict]:
    app = create_app(Settings(data_dir=tmp_path / "data"), mount_sandbox=False, start_agent=False)
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    with TestClient(app) as _:
        yield {"app": app, **{u: login(TestClient(app), u) for u in ("admin1", "admin2", "supervisor1")}}


def test_puppet_supervisor_needs_a_second_admin(web: dict) -> None:
    users: UserStore = web["app"].state.users
    body = {
        "username": "puppet",
        "role": "supervisor",
        "password": "puppet-password-1",
        "approval_limit_eur": 1e12,
    }
    r = web["admin1"].post("/api/admin/users", json=body)
    assert r.status_code == 202 and r.json()["change"]["status"] == "pending"
    assert "password_hash" not in r.json()["change"]["changes"]
    change = r.json()["change"]["id"]
    with pytest.raises(UserNotFound):
        users.get("puppet")
    assert login(TestClient(web["app"]), "admin1")  # still fine; the puppet cannot log in yet
    assert (
        TestClient(web["app"])
        .post("/api/auth/login", json={"username": "puppet", "password": "puppet-password-1"})
        .status_code
        == 401
    )
    own = web["admin1"].post(f"/api/admin/changes/{change}/confirm")
    assert own.status_code == 403 and own.json()["error"]["code"] == "four_eyes_violation"
    assert web["supervisor1"].post(f"/api/admin/changes/{change}/confirm").status_code == 403
    assert [c["id"] for c in web["admin2"].get("/api/admin/changes").json()["changes"]] == [change]
    ok = web["admin2"].post(f"/api/admin/changes/{change}/confirm")
    assert ok.status_code == 200 and ok.json()["change"]["status"] == "applied"
    assert users.get("puppet").approval_limit_eur == 1e12
    again = web["admin2"].post(f"/api/admin/changes/{change}/confirm")
    assert again.status_code == 409 and again.json()["error"]["code"] == "change_not_pending"
    events = [
        (e.event_type, e.actor)
        for e in web["app"].state.audit.events()
        if e.event_type.startswith("user_change")
    ]
    assert events == [("user_change_requested", "admin1"), ("user_change_confirmed", "admin2")]


def test_limit_raise_and_reenable_wait_for_confirmation(web: dict) -> None:
    users: UserStore = web["app"].state.users
    r = web["admin1"].post(
        "/api/admin/users/supervisor1/role", json={"role": "supervisor", "approval_limit_eur": 9e11}
    )
    assert r.status_code == 202
    assert users.get("supervisor1").approval_limit_eur == 100_000.0
    web["admin2"].post(f"/api/admin/changes/{r.json()['change']['id']}/reject", json={"reason": "no"})
    assert users.get("supervisor1").approval_limit_eur == 100_000.0
    assert (
        web["admin1"].post("/api/admin/users/supervisor1/disable").status_code == 200
    )  # less power: at once
    assert not users.get("supervisor1").active
    enable = web["admin1"].post("/api/admin/users/supervisor1/enable")
    assert enable.status_code == 202 and not users.get("supervisor1").active
    self_promote = web["admin1"].post(
        "/api/admin/users/admin1/role", json={"role": "admin", "approval_limit_eur": 1e12}
    )
    change = self_promote.json()["change"]["id"]
    assert web["admin1"].post(f"/api/admin/changes/{change}/confirm").status_code == 403


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = Settings(data_dir=tmp_path / "data")
    UserStore(open_app_db(settings.app_db_url)).ensure_demo_users()
    yield settings
    get_settings.cache_clear()


def _cli(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_cli_user_changes_need_admin_logins_and_two_admins(cli_env: Settings) -> None:
    create = ["users", "create", "puppet", "--role", "supervisor", "--limit", "1e12", "--password-stdin"]
    refused = _cli(*create, stdin="puppet-password-1\n")
    assert refused.exit_code == 2 and "admin login" in refused.output
    assert _cli("login", "supervisor1", "--password-stdin", stdin=DEMO_PASSWORD + "\n").exit_code == 0
    assert "needs admin" in _cli(*create, stdin="puppet-password-1\n").output
    assert _cli("login", "admin1", "--password-stdin", stdin=DEMO_PASSWORD + "\n").exit_code == 0
    pending = _cli(*create, stdin="puppet-password-1\n")
    assert pending.exit_code == 0 and "pending" in pending.output
    change = pending.output.split()[0]
    users = UserStore(open_app_db(cli_env.app_db_url))
    with pytest.raises(UserNotFound):
        users.get("puppet")
    own = _cli("users", "confirm", change)
    assert own.exit_code == 2 and "four_eyes_violation" in own.output
    assert _cli("login", "admin2", "--password-stdin", stdin=DEMO_PASSWORD + "\n").exit_code == 0
    assert _cli("users", "confirm", change).exit_code == 0
    assert users.get("puppet").role == "supervisor"
    kinds = [e.event_type for e in AuditLog(open_app_db(cli_env.app_db_url)).events()]
    assert "user_change_requested" in kinds and "user_change_confirmed" in kinds
