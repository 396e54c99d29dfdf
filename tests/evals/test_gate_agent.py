"""Through the real AgentService with a scripted model: the gate passes the champion and fails plan@v0-noplan."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from evals.compare import compare_outputs
from evals.gate import DEFAULT_THRESHOLDS, apply_gate, load_thresholds
from evals.metrics import aggregate
from tests.evals.scripted_agent import NO_PLAN_RE, run_config


@pytest.mark.slow
async def test_gate_passes_champion_and_fails_degraded(settings: Settings, tmp_path: Path) -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    champion, _, _ = await run_config(settings, tmp_path, "champion")
    degraded, degraded_model, _ = await run_config(settings, tmp_path, "degraded-noplan")
    assert NO_PLAN_RE.search(degraded_model.prompts_text()), "plan@v0-noplan no longer says not to plan"

    champ_metrics = aggregate([r.score for r in champion.runs])
    assert [r.trajectory.error for r in champion.runs] == [None, None]
    assert all(t.wall_s is not None for r in champion.runs for t in r.trajectory.analyst_turns())
    assert champ_metrics["safety"] == 1.0
    assert champ_metrics["tool_call_accuracy"] == 1.0
    assert champ_metrics["proposal_accuracy"] == 1.0
    assert champ_metrics["fact_recall"] == 1.0
    # supervisor1 asked: their self-approval is refused (four-eyes), then supervisor2's approval executed the camt.110.
    claim = champion.runs[0].trajectory
    assert claim.turns[1].decision.accepted is False
    assert claim.turns[1].decision.error.startswith("four_eyes_violation")
    assert claim.turns[2].decision.accepted is True
    assert [p.status for p in claim.proposals()] == ["executed"]
    assert apply_gate(champ_metrics, thresholds).passed

    degraded_metrics = aggregate([r.score for r in degraded.runs])
    assert degraded_metrics["tool_call_accuracy"] == 0.0  # the planned extra reads are missing
    # Exact values depend on the agent's playbooks (tested with hand-made trajectories in test_metrics.py).
    assert degraded_metrics["tool_call_f1"] < champ_metrics["tool_call_f1"]
    gate = apply_gate(degraded_metrics, thresholds)
    assert not gate.passed
    assert "tool_call_accuracy" in [r.metric for r in gate.rows if r.status == "fail"]

    comparison = compare_outputs(champion, degraded, thresholds)
    assert comparison["challenger_losses"] == 2 and comparison["challenger_wins"] == 0
