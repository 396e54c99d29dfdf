"""The monitor's shadow comparison: agreement and latency per challenger from the ``shadow_turn`` audit events,
in the CLI's lines, its JSON and its HTML, and never an alert of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.shadow import SHADOW_EVENT
from agent.store import AgentStore
from core.audit import AuditLog
from core.cli import app
from core.schema import open_app_db
from core.settings import get_settings
from evals.shadow_report import compare_pairs
from tests.evals.test_monitor import MIX, reference_report, store_turns


def _pair(case_type: str, proposals: list[str], ms: float, error: str | None = None) -> dict[str, Any]:
    champion = {
        "release_id": "rel-a",
        "case_type": "recall_request",
        "proposals": ["recall:DUPL"],
        "latency_ms": 1000.0,
    }
    challenger: dict[str, Any] = {
        "release_id": "rel-c",
        "case_type": case_type,
        "proposals": proposals,
        "latency_ms": ms,
    }
    return {
        "thread_id": f"t-{ms}",
        "turn": 1,
        "champion": champion,
        "challenger": {"release_id": "rel-c", "error": error} if error else challenger,
    }


PAIRS = [
    _pair("recall_request", ["recall:DUPL"], 2000.0),
    _pair("recall_request", ["recall:DUPL"], 3000.0),
    _pair("status_chaser", [], 4000.0),
    _pair("", [], 0.0, error="RuntimeError: down"),
]


def test_agreement_latency_errors_and_disagreements_per_challenger() -> None:
    [c] = compare_pairs(PAIRS)["challengers"]
    assert (c["release_id"], c["turns"], c["errors"]) == ("rel-c", 4, 1)
    assert c["case_type_agreement"] == pytest.approx(2 / 3, abs=1e-4)
    assert c["proposal_agreement"] == pytest.approx(2 / 3, abs=1e-4)
    assert c["champion_latency"] == {"p50_ms": 1000.0, "p95_ms": 1000.0}
    assert c["challenger_latency"] == {"p50_ms": 3000.0, "p95_ms": 4000.0}
    [d] = c["disagreements"]
    assert d["challenger"] == {"case_type": "status_chaser", "proposals": []} and c["champion_releases"] == [
        "rel-a"
    ]
    assert compare_pairs([]) == {"turns": 0, "challengers": []}


def test_monitor_report_shows_the_shadow_comparison_without_alerting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        engine = open_app_db(get_settings().app_db_url)
        store_turns(AgentStore(engine), [c for c, w in MIX.items() for _ in range(w * 5)], "like")
        audit = AuditLog(engine)
        for pair in PAIRS:
            audit.append(SHADOW_EVENT, actor="system", conversation_id=pair["thread_id"], payload=pair)
        ref, out = reference_report(tmp_path / "report.json"), tmp_path / "monitor"
        r = CliRunner().invoke(app, ["monitor", "report", "--reference", str(ref), "--out", str(out)])
        assert r.exit_code == 0, r.output  # a disagreeing challenger is information, not an alert
        assert (
            "shadow rel-c: 4 turns, case type agreement 0.6667, proposal agreement 0.6667, latency p50 1000.0 ms champion / 3000.0 ms challenger, 1 errors"
            in r.output
        )
        report = json.loads((out / "monitor.json").read_text())
        assert report["shadow"]["turns"] == 4 and report["status"] == "ok"
        html = (out / "monitor.html").read_text()
        assert "Shadow champion vs challenger (4 turns)" in html and "rel-c against rel-a" in html
    finally:
        get_settings.cache_clear()
