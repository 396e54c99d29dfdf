"""Rate limits: login attempts per client address and agent turns per user answer 429 ``rate_limited``
(JSON error, Retry-After) without affecting other clients or users; the window slides."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.rate_limits import SlidingWindow
from app.server import create_app
from core.settings import Settings
from tests.app.conftest import login
from tests.app.fakes import FakeAgentService, fast_hasher


def _app(tmp_path: Path, **limits: int):  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path / "data", **limits), mount_sandbox=False, start_agent=False)
    app.state.agent_service = FakeAgentService(audit=app.state.audit, conversations=app.state.conversations)
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    return app


def _assert_limited(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1


def test_login_attempts_are_limited_per_client_address(tmp_path: Path) -> None:
    app = _app(tmp_path, login_rate_limit=3)
    with TestClient(app):
        flood = TestClient(app, client=("10.0.0.9", 50000))
        answers = [
            flood.post("/api/auth/login", json={"username": "analyst1", "password": f"wrong-{n}"}).status_code
            for n in range(3)
        ]
        assert answers == [401, 401, 401]
        _assert_limited(
            flood.post("/api/auth/login", json={"username": "analyst1", "password": "payinvest-demo"})
        )
        # another address is not affected, and the right password still works from there
        assert login(TestClient(app, client=("10.0.0.10", 50000)), "analyst1").cookies


def test_turns_are_limited_per_user(tmp_path: Path) -> None:
    app = _app(tmp_path, turn_rate_limit=2)
    with TestClient(app):
        convs = {}
        for username, allowed in (("analyst1", 2), ("analyst2", 1)):
            client = login(TestClient(app), username)
            convs[username] = conv = client.post("/api/conversations", json={}).json()["conversation"]["id"]
            for _ in range(allowed):
                r = client.post(
                    f"/api/conversations/{conv}/messages", json={"message": "where is PAY-00000001?"}
                )
                assert r.status_code == 200 and "event: done" in r.text
        again = login(TestClient(app), "analyst1")  # a new session does not reset the user's count
        _assert_limited(
            again.post(f"/api/conversations/{convs['analyst1']}/messages", json={"message": "and now?"})
        )


def test_the_window_slides() -> None:
    now = [0.0]
    window = SlidingWindow(2, window_s=60, clock=lambda: now[0])
    assert [window.hit("a"), window.hit("a")] == [None, None]
    assert window.hit("a") == 60 and window.hit("b") is None
    now[0] = 30.0
    assert window.hit("a") == 30
    now[0] = 60.5
    assert window.hit("a") is None
