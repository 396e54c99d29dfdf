"""``payinvest monitor report``: shifted traffic (one case type only) raises the case-mix alert; traffic like the
evaluation's does not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.store import AgentStore
from core.cli import app
from core.schema import open_app_db
from core.settings import get_settings
from evals.monitor import parse_since, psi

MIX = {"claim_non_receipt": 4, "recall_request": 3, "status_chaser": 2, "sanctions_hold": 1}


def reference_report(path: Path, repeat: int = 5) -> Path:
    """An eval report.json with analyst turns in the MIX proportions (what `payinvest eval` records)."""
    scenarios = []
    for case_type, weight in MIX.items():
        for i in range(weight * repeat):
            turn = {
                "role": "analyst",
                "case_type": case_type,
                "unsupported_claims": 1 if i % 10 == 0 else 0,
                "llm_calls": 1,
                "llm_failures": 0,
                "latency_s": 12.0 + i % 5,
            }
            scenarios.append(
                {"id": f"{case_type}-{i}", "case_type": case_type, "trajectory": {"turns": [turn]}}
            )
    manifest = {"git_commit": "c1", "prompt_versions": {"answer": "v3"}, "thresholds_version": "2026-11"}
    report = {"scenarios": scenarios, "gate": {"passed": True}, "manifest": manifest}
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def store_turns(store: AgentStore, case_types: list[str], prefix: str) -> None:
    for i, case_type in enumerate(case_types):
        result: dict[str, Any] = {
            "case_type": case_type,
            "unsupported_claims": 1 if i % 10 == 0 else 0,
            "llm_calls": [{"prompt": "answer", "ok": True}],
            "latency_ms": (12.0 + i % 5) * 1000,
            "classification": {"intent": {"confidence": 0.9}},
            "retrieved": [{"score": 0.7}],
        }
        store.save_turn(thread_id=f"{prefix}-{i}", turn=1, user="analyst1", message="m", result=result)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    engine = open_app_db(get_settings().app_db_url)
    yield {"store": AgentStore(engine), "tmp": tmp_path, "ref": reference_report(tmp_path / "report.json")}
    get_settings.cache_clear()


def _run(env: dict, *extra: str) -> tuple[int, dict[str, Any]]:
    out = env["tmp"] / "monitor"
    r = CliRunner().invoke(
        app, ["monitor", "report", "--reference", str(env["ref"]), "--out", str(out), "--json", *extra]
    )
    assert r.exit_code in (0, 1), r.output
    assert (out / "monitor.html").read_text().startswith("<!doctype html>")
    return r.exit_code, json.loads(r.stdout)


def test_traffic_like_the_evaluation_raises_no_alert(env: dict) -> None:
    like = [ct for ct, w in MIX.items() for _ in range(w * 4)]
    store_turns(env["store"], like, "like")
    code, report = _run(env)
    assert code == 0 and report["alerts"] == [] and report["status"] == "ok", report
    assert report["signals"]["case_type_mix"]["psi"] < 0.01
    assert report["signals"]["classifier_confidence"]["level"] == "no_reference"


def test_one_case_type_only_raises_the_case_mix_alert(env: dict) -> None:
    store_turns(env["store"], ["sanctions_hold"] * 40, "shift")
    code, report = _run(env)
    assert code == 1 and report["alerts"] == ["case_type_mix"], report
    mix = report["signals"]["case_type_mix"]
    assert mix["level"] == "alert" and mix["psi"] >= 0.25 and mix["window"] == {"sanctions_hold": 1.0}
    assert report["signals"]["unsupported_claims"]["level"] == "ok"


def test_small_window_is_insufficient_and_since_filters(env: dict) -> None:
    store_turns(env["store"], ["sanctions_hold"] * 5, "few")
    code, report = _run(env)
    assert code == 0 and report["status"] == "insufficient" and report["window_turns"] == 5
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    _code, report = _run(env, "--since", future)
    assert report["window_turns"] == 0


def test_psi_and_since_parsing() -> None:
    assert psi({"a": 0.5, "b": 0.5}, {"a": 0.5, "b": 0.5}) == 0
    assert psi({"a": 0.9, "b": 0.1}, {"a": 0.1, "b": 0.9}) > 1
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    with pytest.raises(ValueError, match="--since"):
        parse_since("yesterday")
    with pytest.raises(ValueError, match="before year 1"):
        parse_since("99999999999d")


def test_bad_input_is_a_one_line_error(env: dict) -> None:
    r = CliRunner().invoke(app, ["monitor", "report", "--since", "soon", "--reference", str(env["ref"])])
    assert r.exit_code == 2 and "--since must be" in r.output
    r = CliRunner().invoke(app, ["monitor", "report"])
    assert r.exit_code == 2 and "no serving release" in r.output


def test_admin_view_shows_the_same_report(env: dict) -> None:
    from fastapi.testclient import TestClient

    from app.server import create_app
    from core.audit import AuditLog
    from core.releases import ReleaseStore
    from tests.app.conftest import login
    from tests.app.fakes import fast_hasher

    web = create_app(get_settings(), mount_sandbox=False, start_agent=False)
    web.state.users.hasher = fast_hasher()
    web.state.users.ensure_demo_users()
    store_turns(env["store"], ["sanctions_hold"] * 40, "shift")
    with TestClient(web) as client:
        admin = login(client, "admin1")
        r = admin.get("/api/admin/monitor")
        assert r.status_code == 409 and r.json()["error"]["code"] == "no_reference"
        ReleaseStore(web.state.engine, AuditLog(web.state.engine)).promote(env["ref"], actor="admin1")
        report = admin.get("/api/admin/monitor", params={"since": "1h"}).json()["monitor"]
        assert report["alerts"] == ["case_type_mix"] and report["window_turns"] == 40
        page = admin.get("/api/admin/monitor", params={"format": "html"})
        assert page.headers["content-type"].startswith("text/html") and "case_type_mix" in page.text
        assert "script-src" not in page.headers["content-security-policy"]
        assert admin.get("/api/admin/monitor", params={"since": "soon"}).status_code == 422
        client.cookies.clear()
        assert login(client, "analyst1").get("/api/admin/monitor").status_code == 403


def test_a_high_thumbs_down_rate_is_an_alert_of_its_own(env: dict) -> None:
    from core.audit import AuditLog

    like = [ct for ct, w in MIX.items() for _ in range(w * 4)]  # 40 turns like the evaluation's
    store_turns(env["store"], like, "fb")
    audit = AuditLog(open_app_db(get_settings().app_db_url))
    for i in range(12):  # 12 of 40 turns thumbed down: 30%
        audit.append("feedback", actor="analyst1", conversation_id=f"fb-{i}", payload={"rating": "down"})
    audit.append("feedback", actor="analyst1", conversation_id="fb-x", payload={"rating": "up"})
    code, report = _run(env)
    assert code == 1 and report["alerts"] == ["thumbs_down_rate"], report
    thumbs = report["feedback"]
    assert (thumbs["down"], thumbs["up"], thumbs["turns"], thumbs["level"]) == (12, 1, 40, "alert")
    assert thumbs["thumbs_down_rate"] == pytest.approx(0.3)
    assert "thumbs_down_rate" in (env["tmp"] / "monitor" / "monitor.html").read_text()
