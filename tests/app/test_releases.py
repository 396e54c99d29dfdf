"""``payinvest release``: only gated manifests, promotion and rollback audited, every worker's turns record
the serving release after a rollback without a restart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.service import AgentService
from core.audit import AuditLog
from core.cli import app
from core.releases import ReleaseError, ReleaseStore, release_id
from core.schema import open_app_db
from core.settings import Settings, get_settings
from core.users import UserStore
from tests.agent.fakes import FakePaymentPort, ListRetriever, ScriptedChatModel, default_script, sop_hit


def write_report(directory: Path, *, passed: bool, commit: str) -> Path:
    """A report.json as `payinvest eval --gate --report` writes it (the parts a release reads)."""
    manifest = {
        "git_commit": commit,
        "config_digest": f"cfg-{commit}",
        "provider": "embedded",
        "model_file": {"sha256": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"},
        "prompt_versions": {"answer": "v3", "plan": "v2"},
        "classifier_version": "clf-1",
        "corpus_hash": "corpus-abc",
        "thresholds_version": "2026-11",
    }
    report = {"gate": {"passed": passed, "thresholds_version": "2026-11", "rows": []}, "manifest": manifest}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_promote_only_a_gated_manifest_and_roll_back_in_order(settings: Settings, tmp_path: Path) -> None:
    engine = open_app_db(settings.app_db_url)
    audit = AuditLog(engine)
    store = ReleaseStore(engine, audit)
    with pytest.raises(ReleaseError, match="gate did not pass"):
        store.promote(write_report(tmp_path / "bad", passed=False, commit="c0"), actor="admin1")
    with pytest.raises(ReleaseError, match="no such report"):
        store.promote(tmp_path / "missing.json", actor="admin1")
    with pytest.raises(ReleaseError, match="no release"):
        store.rollback(actor="admin1")
    a = store.promote(write_report(tmp_path / "a", passed=True, commit="c1"), actor="admin1")
    with pytest.raises(ReleaseError, match="nothing to roll back"):
        store.rollback(actor="admin1")
    b = store.promote(write_report(tmp_path / "b", passed=True, commit="c2"), actor="admin1")
    assert a.id == release_id(a.manifest) and a.id != b.id and store.serving_id() == b.id
    assert store.rollback(actor="admin1").id == a.id and store.serving_id() == a.id
    with pytest.raises(ReleaseError):  # the first release has nothing before it
        store.rollback(actor="admin1")
    assert store.serving_id() == a.id
    assert [e.event_type for e in audit.events(event_type="release_promoted")] == ["release_promoted"] * 2
    [rolled] = audit.events(event_type="release_rolled_back")
    assert rolled.payload == {"release_id": a.id, "from": b.id} and rolled.actor == "admin1"
    assert audit.verify().ok


def _worker(settings: Settings, audit: AuditLog, tmp: Path, name: str) -> AgentService:
    port = FakePaymentPort(tmp / f"{name}-actions.db", [])
    retriever = ListRetriever([sop_hit("SOP-009", "1", "General guidance.", ["general"])])
    model = ScriptedChatModel(script=default_script(case_type="general", answer="See [SOP-009 §1]."))
    service = AgentService(settings, chat_model=model, systems=port, retriever=retriever, audit=audit)
    service._serving.ttl = 0.2  # the test does not wait the production 5 s
    return service


def test_two_workers_pick_up_a_rollback_without_restart(settings: Settings, tmp_path: Path) -> None:
    engine = open_app_db(settings.app_db_url)
    audit = AuditLog(engine)
    store = ReleaseStore(engine, audit)
    a = store.promote(write_report(tmp_path / "a", passed=True, commit="c1"), actor="admin1")
    b = store.promote(write_report(tmp_path / "b", passed=True, commit="c2"), actor="admin1")
    workers = [_worker(settings, AuditLog(engine), tmp_path, n) for n in ("w1", "w2")]

    async def turns() -> list[Any]:
        out = [await w.ask("What is the cut-off time for EUR payments?", user="analyst1") for w in workers]
        store.rollback(actor="admin1")
        await asyncio.sleep(0.3)
        out += [await w.ask("What is the cut-off time for EUR payments?", user="analyst1") for w in workers]
        for w in workers:
            await w.aclose()
        return out

    results = asyncio.run(turns())
    assert [r.release_id for r in results] == [b.id, b.id, a.id, a.id]
    messages = audit.events(event_type="agent.user_message")
    assert [m.payload["release_id"] for m in messages] == [b.id, b.id, a.id, a.id]
    assert [e.event_type for e in audit.events(event_type="release_rolled_back")] == ["release_rolled_back"]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    engine = open_app_db(get_settings().app_db_url)
    UserStore(engine).create(username="boss", role="admin", password="admin-pass-1234")
    UserStore(engine).create(username="sup", role="supervisor", password="super-pass-1234")
    yield {"engine": engine, "tmp": tmp_path}
    get_settings.cache_clear()


def test_release_commands_as_the_logged_in_admin(cli_env: dict) -> None:
    runner, tmp = CliRunner(), cli_env["tmp"]
    good = write_report(tmp / "a", passed=True, commit="c1")
    r = runner.invoke(app, ["release", "promote", str(good)])
    assert r.exit_code == 2 and "not logged in" in r.output
    assert runner.invoke(app, ["login", "sup", "--password-stdin"], input="super-pass-1234\n").exit_code == 0
    r = runner.invoke(app, ["release", "promote", str(good)])
    assert r.exit_code == 2 and "only an admin" in r.output
    assert runner.invoke(app, ["login", "boss", "--password-stdin"], input="admin-pass-1234\n").exit_code == 0
    r = runner.invoke(app, ["release", "promote", str(write_report(tmp / "bad", passed=False, commit="c9"))])
    assert r.exit_code == 1 and "gate did not pass" in r.output
    assert runner.invoke(app, ["release", "promote", str(good)]).exit_code == 0
    second = write_report(tmp / "b", passed=True, commit="c2")
    assert runner.invoke(app, ["release", "promote", str(second)]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["release", "list", "--json"]).stdout)
    assert [r["serving"] for r in listed["releases"]] == [False, True]
    r = runner.invoke(app, ["release", "rollback"])
    assert r.exit_code == 0 and listed["releases"][0]["id"] in r.output
    listed = json.loads(runner.invoke(app, ["release", "list", "--json"]).stdout)
    assert listed["serving"] == listed["releases"][0]["id"]
    assert [e["action"] for e in listed["history"]] == ["promote", "promote", "rollback"]
    events = AuditLog(cli_env["engine"]).events(event_type="release_rolled_back")
    assert [e.actor for e in events] == ["boss"]
