"""The LLM judge is bounded: an unreachable endpoint costs at most its budget and marks scenarios as failed."""

from __future__ import annotations

import pytest

from core.settings import Settings
from evals.config import EvalConfig, JudgeConfig
from evals.judge import agreement, in_subset, run_judge
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
        provider="openai", base_url="http://127.0.0.1:9/v1", model="m", timeout_s=2, budget_s=4, subset=[]
    )
    summary = await run_judge(output, settings, config)
    assert summary["seconds"] <= config.budget_s + config.timeout_s + 1  # loading the judge is setup_s
    assert summary["enabled"] is True and summary["concurrency"] == config.concurrency == 3
    assert summary["scored"] == 0
    assert summary["failed"] >= 1
    assert summary["failed"] + summary["not_reached"] == 3
    assert output.runs[0].score.values["faithfulness"] is None


class _Run:
    def __init__(self, faith: float | None, claims: float | None, tags: tuple[str, ...] = ()) -> None:
        self.score = type("S", (), {"values": {"faithfulness": faith, "unsupported_claims": claims}})()
        self.case = type("C", (), {"id": f"c{faith}-{claims}", "tags": list(tags)})()


def test_agreement_counts_each_cell_and_kappa() -> None:
    runs = [_Run(0.9, 0), _Run(0.8, 0), _Run(0.2, 1), _Run(0.3, 0), _Run(1.0, 2), _Run(None, 0)]
    result = agreement(runs, 0.5)  # type: ignore[arg-type]
    assert result["n"] == 5  # the unscored one is left out
    assert (result["both_clean"], result["both_flag"]) == (2, 1)
    assert (result["judge_only_flags"], result["check_only_flags"]) == (1, 1)
    assert result["rate"] == 0.6
    # judge flags 2/5, check flags 2/5: expected agreement 0.52, kappa (0.6 - 0.52) / 0.48
    assert result["kappa"] == pytest.approx(0.167, abs=0.001)


def test_agreement_of_another_judged_metric() -> None:
    runs = [_Run(None, 0), _Run(None, 1)]
    for run, grounded in zip(runs, (0.25, 0.75), strict=True):
        run.score.values["response_groundedness"] = grounded
    result = agreement(runs, 0.5, "response_groundedness")  # type: ignore[arg-type]
    assert (result["n"], result["judge_only_flags"], result["check_only_flags"], result["rate"]) == (
        2,
        1,
        1,
        0.0,
    )
    assert agreement(runs, 0.5)["n"] == 0  # type: ignore[arg-type]  # no faithfulness scored


def test_agreement_without_scores_says_so() -> None:
    assert agreement([_Run(None, None)], 0.5) == {  # type: ignore[list-item]
        "n": 0,
        "both_clean": 0,
        "both_flag": 0,
        "judge_only_flags": 0,
        "check_only_flags": 0,
        "rate": None,
        "kappa": None,
        "faithful_at": 0.5,
    }


def test_the_subset_is_chosen_by_tag_or_id() -> None:
    tagged, other = _Run(1, 0, ("ci", "single-turn")), _Run(1, 0, ("robustness",))
    assert in_subset(tagged, ["ci"]) and not in_subset(other, ["ci"])
    assert in_subset(other, [other.case.id])
    assert in_subset(other, [])
