"""Through the real AgentService with a scripted model: the gate passes the champion; four-eyes holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from evals.compare import compare_outputs
from evals.gate import DEFAULT_THRESHOLDS, apply_gate, load_thresholds
from evals.metrics import aggregate
from tests.evals.scripted_agent import NO_PLAN_RE, run_config


@pytest.mark.slow
async def test_gate_passes_champion_and_noplan_is_not_distinguishable(
    settings: Settings, tmp_path: Path
) -> None:
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

    # The evidence-first agent reads the whole triage bundle and the playbook before any plan: a planner that
    # plans nothing changes no read, so plan@v0-noplan is no longer a degradation (docs/evals.md).
    degraded_metrics = aggregate([r.score for r in degraded.runs])
    assert degraded_metrics["tool_call_accuracy"] == champ_metrics["tool_call_accuracy"]
    comparison = compare_outputs(champion, degraded, thresholds)
    assert comparison["verdict"] == "not distinguishable" and comparison["gated_regressions"] == []
