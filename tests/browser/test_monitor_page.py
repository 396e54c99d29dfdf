"""The admin's Monitor tab shows what ``payinvest monitor report`` computes: PSI per signal with its alert
level, the thumbs-down rate, and the shadow champion-vs-challenger comparison; without a serving release it
says why there is nothing to compare."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.shadow import SHADOW_EVENT
from agent.store import AgentStore
from core.releases import ReleaseStore
from evals.monitor import monitor_report
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accessibility import _page, _violations
from tests.browser.test_investigation_flow import _login

pytestmark = pytest.mark.browser

REFERENCE_MIX = ["claim_non_receipt"] * 10 + ["status_chaser"] * 10 + ["recall"] * 10


def _reference(path: Path) -> Path:
    turns = [{"role": "analyst", "case_type": c, "llm_calls": 1, "latency_s": 6.0} for c in REFERENCE_MIX]
    report = {
        "gate": {"passed": True},
        "manifest": {"git_commit": "monitor-page", "prompt_versions": {"answer": "v2"}},
        "config": {"name": "champion"},
        "scenarios": [{"case_type": "mixed", "trajectory": {"turns": turns}}],
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def _shifted_traffic(app, champion: str) -> None:
    """25 turns of one case type (a shifted mix), 10 thumbs-down, 4 shadow pairs (3 agree on the case type)."""
    store = AgentStore(app.state.engine)
    for i in range(25):
        result = {"case_type": "duplicate", "latency_ms": 7000.0, "llm_calls": [{"ok": True}]}
        store.save_turn(thread_id=f"mon-{i}", turn=1, user="analyst1", message="m", result=result)
    audit = app.state.audit
    for i in range(10):
        audit.append("feedback", actor="analyst1", conversation_id=f"mon-{i}", payload={"rating": "down"})
    for i, challenger_type in enumerate(["duplicate", "duplicate", "duplicate", "recall"]):
        pair = {
            "thread_id": f"mon-{i}",
            "turn": 1,
            "champion": {
                "release_id": champion,
                "case_type": "duplicate",
                "proposals": ["recall:DUPL"],
                "latency_ms": 7000.0,
            },
            "challenger": {
                "release_id": "rel-challenger1",
                "case_type": challenger_type,
                "proposals": ["recall:DUPL"],
                "latency_ms": 9000.0,
            },
        }
        audit.append(SHADOW_EVENT, actor="system", conversation_id=f"mon-{i}", payload=pair)


def test_monitor_tab_shows_drift_feedback_and_the_shadow_comparison(
    live_server: dict, browser, tmp_path: Path
) -> None:
    url, app = live_server["url"], live_server["app"]
    ctx, admin, errors = _login(browser, url, "admin1")
    admin.get_by_test_id("nav-monitor").click()
    # No serving release yet: the page says so instead of showing empty tables.
    assert "No reference to compare with" in admin.get_by_test_id("monitor-error").inner_text()

    champion = ReleaseStore(app.state.engine, app.state.audit).promote(
        _reference(tmp_path / "report.json"), actor="admin1"
    )
    _shifted_traffic(app, champion.id)
    admin.get_by_test_id("monitor-refresh").click()
    admin.get_by_test_id("monitor-signal-table").wait_for()

    expected = monitor_report(app.state.engine, datetime.now(UTC) - timedelta(hours=24))
    assert admin.get_by_test_id("monitor-status").inner_text() == expected["status"] == "alert"
    mix = admin.locator("[data-signal=case_type_mix]")
    assert mix.get_by_test_id("signal-level").inner_text() == "alert"
    assert (
        mix.get_by_test_id("signal-psi").inner_text() == f"{expected['signals']['case_type_mix']['psi']:.3f}"
    )
    assert mix.get_by_test_id("signal-bin").count() == 4  # three reference types and the window's one
    assert "duplicate" in mix.inner_text() and "0.0% → 100.0%" in mix.inner_text()
    assert admin.get_by_test_id("monitor-signal").count() == len(expected["signals"])
    assert "case_type_mix" in admin.get_by_test_id("monitor-alerts").inner_text()

    thumbs = admin.get_by_test_id("monitor-thumbs")
    assert "Thumbs-down rate 40.0% (10 down, 0 up on 25 turns)" in thumbs.inner_text()
    assert thumbs.get_by_test_id("thumbs-level").inner_text() == "alert"

    [row] = admin.get_by_test_id("shadow-row").all()
    assert "rel-challenger1" in row.inner_text() and champion.id in row.inner_text()
    assert row.get_by_test_id("shadow-case-agreement").inner_text() == "75.0%"
    assert row.get_by_test_id("shadow-proposal-agreement").inner_text() == "100.0%"
    assert "7000 ms / 9000 ms" in row.inner_text()

    # Another window reloads the report; the HTML report link follows it.
    admin.get_by_test_id("monitor-since").select_option("1h")
    admin.get_by_test_id("monitor-signal-table").wait_for()
    assert admin.get_by_test_id("monitor-html").get_attribute("href").endswith("since=1h&format=html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin.screenshot(path=str(SCREENSHOTS / "monitor.png"), full_page=True)
    assert errors == []  # the page ran under the app's CSP (bars are sized through the CSSOM)
    ctx.close()

    # axe-core on the filled page: no serious or critical violation (its own context lets the scan script in).
    scan_ctx, scan = _page(browser, url, "admin1", "desktop")
    scan.get_by_test_id("nav-monitor").click()
    scan.get_by_test_id("shadow-row").wait_for()
    assert _violations(scan) == []
    scan_ctx.close()
