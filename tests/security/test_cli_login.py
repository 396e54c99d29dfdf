"""The command line decides only as a logged-in user: no login, no approval; ``--as`` cannot borrow a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.audit import AuditLog
from core.cli import app
from core.schema import open_app_db
from core.settings import Settings, get_settings
from core.users import DEMO_PASSWORD, UserStore


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = Settings(data_dir=tmp_path / "data")
    UserStore(open_app_db(settings.app_db_url)).ensure_demo_users()
    yield settings
    get_settings.cache_clear()


def _run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=stdin)


def _login(user: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
    return _run("login", user, "--password-stdin", stdin=password + "\n")


@pytest.mark.parametrize(
    "command",
    [
        ["approve", "thread-1", "PR-000000000000"],
        ["approve", "thread-1", "PR-000000000000", "--as", "supervisor2"],
        ["approve", "thread-1", "PR-000000000000", "--reject", "no"],
        ["submit", "thread-1"],
        ["submit", "thread-1", "--as", "analyst1"],
    ],
)
def test_no_decision_or_submission_without_a_login(cli_env: Settings, command: list[str]) -> None:
    result = _run(*command)
    assert result.exit_code == 2 and "not_logged_in" in result.output
    assert "Traceback" not in result.output


def test_login_stores_a_private_per_user_token_and_audits(cli_env: Settings) -> None:
    bad = _login("supervisor1", "wrong-password-1")
    assert bad.exit_code == 1 and "wrong username or password" in bad.output
    ok = _login("supervisor1")
    assert ok.exit_code == 0 and "logged in as supervisor1" in ok.output
    token = cli_env.resolved_data_dir / "cli-sessions" / "supervisor1.token"
    assert token.stat().st_mode & 0o077 == 0
    assert _run("whoami").output.strip() == "supervisor1 (supervisor)"
    events = [
        (e.event_type, e.actor, e.payload.get("channel"))
        for e in AuditLog(open_app_db(cli_env.app_db_url)).events()
    ]
    assert events == [("login_failed", "supervisor1", "cli"), ("login", "supervisor1", "cli")]


def test_as_must_match_the_login(cli_env: Settings) -> None:
    assert _login("supervisor1").exit_code == 0
    borrowed = _run("approve", "thread-1", "PR-000000000000", "--as", "supervisor2")
    assert borrowed.exit_code == 2 and "no live login for supervisor2" in borrowed.output


def test_logged_in_analyst_still_cannot_approve(cli_env: Settings) -> None:
    assert _login("analyst1").exit_code == 0
    result = _run("approve", "thread-1", "PR-000000000000")
    assert result.exit_code == 2 and "not_authorised" in result.output


def test_logout_and_disable_end_the_cli_session(cli_env: Settings) -> None:
    assert _login("supervisor1").exit_code == 0
    assert _run("logout").exit_code == 0
    assert _run("whoami").exit_code == 1
    assert _login("supervisor2").exit_code == 0
    UserStore(open_app_db(cli_env.app_db_url)).set_active("supervisor2", False)
    result = _run("approve", "thread-1", "PR-000000000000")
    assert result.exit_code == 2 and "no live login" in result.output
    UserStore(open_app_db(cli_env.app_db_url)).set_active("supervisor2", True)
    again = _run("approve", "thread-1", "PR-000000000000")  # re-enabling does not revive the session
    assert again.exit_code == 2 and "no live login" in again.output
