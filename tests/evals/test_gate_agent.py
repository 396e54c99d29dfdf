"""Through the real AgentService with a scripted model: the gate passes the champion; four-eyes holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from evals.gate import DEFAULT_THRESHOLDS, apply_gate, load_thresholds
from evals.metrics import aggregate
from tests.evals.scripted_agent import run_config


@pytest.mark.slow
async def test_gate_passes_champion_and_noplan_skips_the_playbook(settings: Settings, tmp_path: Path) -> None:
    from agent.playbooks import PLAYBOOKS
    from core.domain import CaseType

    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    champion, _, champion_retriever = await run_config(settings, tmp_path, "champion")
    degraded, _, degraded_retriever = await run_config(settings, tmp_path, "degraded-noplan")

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

    # No planner: the playbook's procedure searches are not made (nor its derived reads). On these two scripted
    # cases the triage bundle still covers the expected reads; on the whole dataset it is significantly worse on
    # four gated metrics (docs/evals.md "Degradations").
    playbook_queries = set(PLAYBOOKS[CaseType.CLAIM_NON_RECEIPT].queries)
    assert playbook_queries <= {q for q, _ in champion_retriever.queries}
    assert not playbook_queries & {q for q, _ in degraded_retriever.queries}
    assert [r.trajectory.error for r in degraded.runs] == [None, None]
