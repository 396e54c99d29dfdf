"""The LLM judge is bounded: an unreachable endpoint costs at most its budget and marks scenarios as failed."""

from __future__ import annotations

import pytest

from core.settings import Settings
from evals.config import EvalConfig, JudgeConfig
from evals.judge import run_judge
from evals.metrics import score_case
from evals.runner import CaseRun, RunOutput
from tests.evals.factories import claim_case, good_result, trajectory_of


@pytest.mark.slow
async def test_unreachable_judge_is_bounded_and_reported(settings: Settings) -> None:
    case = claim_case()
    trajectory = trajectory_of(good_result(), case=case)
    output = RunOutput(config=EvalConfig(name="x"))
    output.runs = [CaseRun(case=case, trajectory=trajectory, score=await score_case(trajectory, case))] * 3
    config = JudgeConfig(
        provider="openai", base_url="http://127.0.0.1:9/v1", model="m", timeout_s=2, budget_s=4
    )
    summary = await run_judge(output, settings, config)
    assert summary["seconds"] <= config.budget_s + config.timeout_s + 1  # loading the judge is setup_s
    assert summary["enabled"] is True
    assert summary["scored"] == 0
    assert summary["failed"] >= 1
    assert summary["failed"] + summary["not_reached"] == 3
    assert output.runs[0].score.values["faithfulness"] is None
