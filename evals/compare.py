"""Champion–challenger comparison: per-metric deltas and per-scenario wins and losses on the same data."""

from __future__ import annotations

from typing import Any

from evals.metrics import DETERMINISTIC_METRICS, JUDGE_METRICS
from evals.runner import RunOutput

_EPS = 1e-6


def scenario_score(values: dict[str, float | None]) -> float | None:
    """Mean of a scenario's deterministic metrics that apply (its overall score for win/loss)."""
    present = [v for k, v in values.items() if k in DETERMINISTIC_METRICS and v is not None]
    return sum(present) / len(present) if present else None


def _outcome(champion: float | None, challenger: float | None) -> str:
    if champion is None or challenger is None or abs(challenger - champion) <= _EPS:
        return "tie"
    return "win" if challenger > champion else "loss"


def compare_outputs(
    champion: RunOutput,
    challenger: RunOutput,
    champion_metrics: dict[str, float | None],
    challenger_metrics: dict[str, float | None],
) -> dict[str, Any]:
    """The comparison document (compare.json contract)."""
    deltas = []
    for name in DETERMINISTIC_METRICS + JUDGE_METRICS:
        a, b = champion_metrics.get(name), challenger_metrics.get(name)
        delta = None if a is None or b is None else round(b - a, 4)
        deltas.append({"metric": name, "champion": a, "challenger": b, "delta": delta})
    by_id = {run.case.id: run for run in challenger.runs}
    scenarios = []
    tally = {"win": 0, "loss": 0, "tie": 0}
    for run in champion.runs:
        other = by_id.get(run.case.id)
        if other is None:
            continue
        a, b = scenario_score(run.score.values), scenario_score(other.score.values)
        outcome = _outcome(a, b)
        tally[outcome] += 1
        changed = {
            k: {"champion": run.score.values.get(k), "challenger": other.score.values.get(k)}
            for k in DETERMINISTIC_METRICS
            if run.score.values.get(k) != other.score.values.get(k)
        }
        scenarios.append(
            {
                "id": run.case.id,
                "case_type": run.case.case_type.value,
                "champion": None if a is None else round(a, 4),
                "challenger": None if b is None else round(b, 4),
                "outcome": outcome,
                "changed": changed,
            }
        )
    return {
        "schema": "payinvest.eval.compare/1",
        "champion": {"name": champion.config.name, "digest": champion.config.digest()},
        "challenger": {"name": challenger.config.name, "digest": challenger.config.digest()},
        "deltas": deltas,
        "challenger_wins": tally["win"],
        "challenger_losses": tally["loss"],
        "ties": tally["tie"],
        "scenarios": scenarios,
    }
