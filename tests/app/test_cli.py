"""``payinvest audit`` and ``payinvest users`` against a real database in a temporary data directory."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.audit import AuditLog
from core.cli import app
from core.schema import open_app_db
from core.settings import get_settings
from core.users import UserStore


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    engine = open_app_db(get_settings().app_db_url)
    UserStore(engine).create(username="comp", role="compliance", password="compliance-pass-1")
    UserStore(engine).create(username="ana", role="analyst", password="analyst-pass-12")
    audit = AuditLog(engine)
    audit.append(
        "agent.user_message",
        actor="ana",
        conversation_id="t1",
        payload={"text": "IBAN GB29NWBK60161331926819"},
    )
    audit.append(
        "agent.tool_result", actor="ana", conversation_id="t1", payload={"debtor_name": "Grace Hopper"}
    )
    audit.append("agent.user_message", actor="ana", conversation_id="t2", payload={"text": "other"})
    yield {"audit": audit, "engine": engine, "tmp": tmp_path}
    get_settings.cache_clear()


def test_verify_ok_then_broken(env: dict) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["checked"] == 3
    with env["engine"].begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'x' WHERE seq = 2")
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 1 and "seq 2" in r.stdout


def _login(runner: CliRunner, user: str, password: str) -> None:
    r = runner.invoke(app, ["login", user, "--password-stdin"], input=password + "\n")
    assert r.exit_code == 0, r.output


def test_export_masks_unless_compliance_unmasks(env: dict) -> None:
    runner = CliRunner()
    out = env["tmp"] / "pack.zip"
    r = runner.invoke(app, ["audit", "export", "--conversation", "t1", "--out", str(out), "--as", "ana"])
    assert (r.exit_code == 2 and "not logged in" in r.output.lower()) or "no live login" in r.output
    _login(runner, "ana", "analyst-pass-12")
    r = runner.invoke(app, ["audit", "export", "--conversation", "t1", "--out", str(out), "--as", "ana"])
    assert r.exit_code == 0, r.output
    events = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("events.jsonl").decode()
    assert "Grace Hopper" not in events and "GB29NWBK60161331926819" not in events and "6819" in events
    r = runner.invoke(
        app, ["audit", "export", "--conversation", "t1", "--out", str(out), "--as", "ana", "--unmask"]
    )
    assert r.exit_code == 2 and "may not" in r.output
    _login(runner, "comp", "compliance-pass-1")
    r = runner.invoke(
        app, ["audit", "export", "--conversation", "t1", "--out", str(out), "--as", "comp", "--unmask"]
    )
    assert r.exit_code == 0
    pack = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    assert "Grace Hopper" in pack.read("events.jsonl").decode()
    manifest = json.loads(pack.read("manifest.json"))
    assert (
        manifest["event_count"] == 3
    )  # the first export is itself audited and manifest["conversation_events_verified"]["ok"]


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "export", "--conversation", "nope", "--out", "x.zip"],
        ["audit", "export", "--conversation", "t1", "--out", "x.txt"],
        ["audit", "export", "--conversation", "t1", "--out", "x.zip", "--as", "ghost"],
        ["users", "disable", "ghost"],
    ],
)
def test_bad_cli_input_is_one_line_exit_2(env: dict, args: list[str]) -> None:
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and r.output.startswith("error: ") and r.output.count("\n") == 1


def test_users_create_and_list(env: dict) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["users", "create", "newsup", "--role", "supervisor", "--limit", "5000", "--password-stdin"],
        input="a-long-password-1\n",
    )
    assert r.exit_code == 0, r.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert {
        "username": "newsup",
        "role": "supervisor",
        "approval_limit_eur": 5000.0,
        "active": True,
    } in listed


def test_audit_chain_exports_for_compliance_only_and_matches_verify(env: dict) -> None:
    runner, out = CliRunner(), env["tmp"] / "chain.json"
    _login(runner, "ana", "analyst-pass-12")
    r = runner.invoke(app, ["audit", "chain", "--out", str(out), "--as", "ana"])
    assert r.exit_code == 2 and "compliance or admin only" in r.output and not out.exists()
    _login(runner, "comp", "compliance-pass-1")
    r = runner.invoke(app, ["audit", "chain", "--out", str(out), "--as", "comp"])
    assert r.exit_code == 0, r.output
    chain = json.loads(out.read_text())
    assert chain["format"] == "payinvest-audit-chain/1" and chain["verified_here"]["ok"]
    assert [e["seq"] for e in chain["events"]][:3] == [1, 2, 3]
    assert {e["canon"] for e in chain["events"]} == {"rfc8785"}
    assert chain["events"][0]["payload"] == {"text": "IBAN GB29NWBK60161331926819"}  # unmasked: re-hashable
    assert env["audit"].events(event_type="audit_read")[-1].payload["what"] == "chain_export"
