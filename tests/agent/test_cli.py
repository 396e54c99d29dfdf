"""``payinvest ask / submit / approve``: clear one-line errors with exit code 2, never a stack trace."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.schema import open_app_db
from core.settings import Settings, get_settings
from core.users import UserStore


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield Settings(data_dir=tmp_path / "data")
    get_settings.cache_clear()


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_unknown_user_is_a_one_line_error(cli_env):
    result = _run("ask", "hello", "--user", "nobody")
    assert result.exit_code == 2
    assert "unknown user 'nobody'" in result.output and "Traceback" not in result.output


def test_unseeded_data_says_what_to_run(cli_env):
    UserStore(open_app_db(cli_env.app_db_url)).ensure_demo_users()
    result = _run("ask", "Where is PAY-90000001?", "--user", "analyst1")
    assert result.exit_code == 2
    assert "payinvest seed" in result.output or "payinvest index build" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--edit", "{not json"], "not valid JSON"),
        (["--edit", "[1]"], "JSON object"),
        (["--edit", "{}", "--reject", "no"], "either --edit or --reject"),
    ],
)
def test_approve_rejects_bad_options(cli_env, extra, needle):
    UserStore(open_app_db(cli_env.app_db_url)).ensure_demo_users()
    result = _run("approve", "thread-1", "PR-000000000000", "--as", "supervisor1", *extra)
    assert result.exit_code == 2 and needle in result.output


def test_analyst_cannot_approve(cli_env):
    UserStore(open_app_db(cli_env.app_db_url)).ensure_demo_users()
    result = _run("approve", "thread-1", "PR-000000000000", "--as", "analyst1")
    assert result.exit_code == 2 and "error:" in result.output and "Traceback" not in result.output


def test_every_command_has_help():
    for command in ("ask", "submit", "approve"):
        result = _run(command, "--help")
        assert result.exit_code == 0 and "--json" in result.output


async def test_human_output_shows_calls_citations_and_proposals(make_service, capsys):
    from agent.cli import _print_turn
    from tests.agent.conftest import UETR_STUCK

    service = make_service()
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
    finally:
        await service.aclose()
    _print_turn(result)
    out = capsys.readouterr().out
    assert "get_tracker(" in out and "[SOP-002 §3]" in out and "citations: E2, SOP-002 §3" in out
    assert f"proposal {result.proposals[0]['id']} [proposed] investigation CCNR" in out
