"""Lockout cannot be used as a weapon or an oracle: per client and account, time-limited, admin-unlockable,
and locked / unknown / wrong-password logins answer the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.server import create_app
from core.login_throttle import LoginThrottle
from core.settings import Settings
from tests.app.conftest import login
from tests.app.fakes import fast_hasher

PASSWORD = "correct-horse-battery"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[object]:
    app = create_app(Settings(data_dir=tmp_path / "data"), mount_sandbox=False, start_agent=False)
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    app.state.users.create(username="victim", role="analyst", password=PASSWORD)
    with TestClient(app):
        yield app


def _login(app: object, password: str, client: str = "testclient", user: str = "victim"):  # type: ignore[no-untyped-def]
    c = TestClient(app, client=(client, 50000))  # type: ignore[arg-type]
    return c.post("/api/auth/login", json={"username": user, "password": password})


def test_locked_unknown_and_wrong_look_the_same(web: object) -> None:
    for _ in range(5):
        _login(web, "wrong-password-x", client="10.0.0.66")
    answers = [
        _login(web, PASSWORD, client="10.0.0.66"),  # locked (right password)
        _login(web, "wrong-password-x", client="10.0.0.7"),  # wrong password
        _login(web, "whatever-pass-1", client="10.0.0.7", user="nobody"),  # unknown user
    ]
    assert {(r.status_code, r.text) for r in answers} == {
        (401, '{"error":{"code":"invalid_credentials","message":"wrong username or password"}}')
    }


def test_attacker_cannot_lock_the_user_out_from_elsewhere(web: object) -> None:
    for _ in range(20):
        assert _login(web, "wrong-password-x", client="203.0.113.9").status_code == 401
    assert _login(web, PASSWORD, client="10.1.2.3").status_code == 200  # the user's own machine


def test_lock_lifts_with_time_and_admin_unlock_works(web: object) -> None:
    for _ in range(5):
        _login(web, "wrong-password-x")
    assert _login(web, PASSWORD).status_code == 401
    engine = web.state.engine  # type: ignore[attr-defined]
    later = LoginThrottle(engine, clock=lambda: datetime.now(UTC) + timedelta(minutes=16))
    assert not later.is_locked("testclient", "victim") and LoginThrottle(engine).is_locked(
        "testclient", "victim"
    )
    admin = login(TestClient(web), "admin1")  # type: ignore[arg-type]
    r = admin.post("/api/admin/users/victim/unlock")
    assert r.status_code == 200 and r.json()["cleared"] >= 1
    assert _login(web, PASSWORD).status_code == 200
    events = [e.event_type for e in web.state.audit.events()]  # type: ignore[attr-defined]
    assert "user_unlocked" in events
    reasons = [e.payload["reason"] for e in web.state.audit.events(event_type="login_failed")]  # type: ignore[attr-defined]
    assert reasons.count("locked") == 2  # the 5th failure locks; the right password while locked
