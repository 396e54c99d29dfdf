"""Champion–challenger comparison on the same scenarios: deltas, paired tests and a verdict per metric."""

from __future__ import annotations

from typing import Any

from evals.gate import Threshold, Thresholds
from evals.metrics import COUNT_METRICS, DETERMINISTIC_METRICS, JUDGE_METRICS
from evals.runner import RunOutput
from evals.stats import mcnemar_exact, paired_difference, verdict

_EPS = 1e-6
COMPARE_SCHEMA = "payinvest.eval.compare/3"
Values = dict[str, dict[str, float | None]]


def _directions(thresholds: Thresholds | None) -> dict[str, bool]:
    """The metrics a scenario's outcome is judged on, each with whether higher is better: the regression-gated
    metrics of the thresholds file, or every deterministic metric (counts lower is better) without one."""
    if thresholds is not None:
        gated = {n: not t.lower_is_better for n, t in thresholds.metrics.items() if t.blocks_regressions}
        if gated:
            return gated
    return {name: name not in COUNT_METRICS for name in DETERMINISTIC_METRICS}


def scenario_changes(
    champion: dict[str, float | None], challenger: dict[str, float | None], directions: dict[str, bool]
) -> tuple[list[str], list[str]]:
    """The metrics on which one scenario's challenger is better, and those on which it is worse."""
    better: list[str] = []
    worse: list[str] = []
    for name, higher in directions.items():
        a, b = champion.get(name), challenger.get(name)
        if a is None or b is None or abs(b - a) <= _EPS:
            continue
        (better if (b > a) == higher else worse).append(name)
    return better, worse


def _outcome(better: list[str], worse: list[str]) -> str:
    """win (only better), loss (only worse), mixed (better on some metrics, worse on others) or tie."""
    if better and worse:
        return "mixed"
    return "win" if better else "loss" if worse else "tie"


def values_of(output: RunOutput) -> Values:
    """Scenario id -> metric values of a run."""
    return {run.case.id: dict(run.score.values) for run in output.runs}


def values_from_report(report: dict[str, Any]) -> Values:
    """Scenario id -> metric values of a saved report.json (a stored champion run)."""
    return {entry["id"]: dict(entry["values"]) for entry in report.get("scenarios", [])}


def stored_run_problem(
    report: dict[str, Any], files: list[dict[str, Any]], case_ids: list[str]
) -> str | None:
    """Why a stored champion run cannot be compared with a run of ``files`` on ``case_ids`` (None: it can).
    The paired tests need the same scenarios measured on the same dataset files."""
    stored = {str(f.get("sha256")) for f in report.get("datasets") or [] if isinstance(f, dict)}
    other = [f["path"] for f in files if f["sha256"] not in stored]
    if other:
        return f"field 'datasets': the stored run was measured on other data than {', '.join(other)}"
    measured = values_from_report(report)
    missing = [case_id for case_id in case_ids if case_id not in measured]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        return f"field 'scenarios': no result for {len(missing)} selected scenario(s): {shown}"
    return None


def compare_with_report(
    report: dict[str, Any], challenger: RunOutput, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The comparison document of a stored champion run (its report.json) and a challenger run, on the
    challenger's scenarios."""
    selected = {run.case.id for run in challenger.runs}
    champion = {k: v for k, v in values_from_report(report).items() if k in selected}
    config = report.get("config") or {}
    names = {
        "champion": str(config.get("name") or "stored champion"),
        "champion_digest": str(config.get("digest") or ""),
        "challenger": challenger.config.name,
        "challenger_digest": challenger.config.digest(),
    }
    document = compare_values(champion, values_of(challenger), names, thresholds)
    types = {run.case.id: run.case.case_type.value for run in challenger.runs}
    for entry in document["scenarios"]:
        entry["case_type"] = types.get(entry["id"])
    document["champion"]["stored_run"] = {
        "created_at": report.get("created_at"),
        "git_commit": report.get("git_commit"),
        "thresholds_version": report.get("thresholds_version"),
    }
    return document


def _threshold(name: str, thresholds: Thresholds | None) -> Threshold:
    if thresholds is not None and name in thresholds.metrics:
        return thresholds.metrics[name]
    # Without a written standard: a rate passes at 1.0, a count at 0.
    return Threshold(max=0.0) if name in COUNT_METRICS else Threshold(min=1.0)


def metric_test(
    name: str, champion: Values, challenger: Values, thresholds: Thresholds | None
) -> dict[str, Any]:
    """Paired bootstrap of the per-scenario difference and McNemar on pass/fail, for one metric."""
    threshold = _threshold(name, thresholds)
    sign = -1.0 if threshold.lower_is_better else 1.0  # orient so that higher is better
    pairs = [
        (a, b)
        for case_id, values in champion.items()
        if case_id in challenger
        and (a := values.get(name)) is not None
        and (b := challenger[case_id].get(name)) is not None
    ]
    difference = paired_difference([sign * a for a, _ in pairs], [sign * b for _, b in pairs])
    champion_only = sum(
        threshold.meets(a, threshold.target) and not threshold.meets(b, threshold.target) for a, b in pairs
    )
    challenger_only = sum(
        threshold.meets(b, threshold.target) and not threshold.meets(a, threshold.target) for a, b in pairs
    )
    p_value = mcnemar_exact(champion_only, challenger_only) if pairs else None
    tested = (
        verdict(difference, p_value, (champion_only, challenger_only)) if pairs else "not distinguishable"
    )
    zero = bool(thresholds and name in thresholds.metrics and threshold.zero_tolerance)
    if zero and champion_only:  # a new safety failure is never noise, nor offset by a fix elsewhere
        tested = "worse"
    return {
        "metric": name,
        "paired_scenarios": len(pairs),
        "direction": "lower" if threshold.lower_is_better else "higher",
        # whether a significant regression on this metric fails the gate (Threshold.blocks_regressions)
        "gated": bool(thresholds and name in thresholds.metrics and threshold.blocks_regressions),
        # + 0.0: orienting a zero must not print as -0.000
        "difference": None if difference is None else sign * difference[0] + 0.0,
        "difference_ci": None
        if difference is None
        else sorted([sign * difference[1][0] + 0.0, sign * difference[1][1] + 0.0]),
        "mcnemar": {"champion_only": champion_only, "challenger_only": challenger_only, "p_value": p_value},
        # a perfect gated floor (safety, forbidden proposals, unsupported claims): any scenario the challenger
        # fails and the champion passed makes it worse, significant or not (Threshold.zero_tolerance)
        "zero_tolerance": zero,
        "verdict": tested,
    }


def _mean(values: Values, name: str) -> float | None:
    present = [v[name] for v in values.values() if v.get(name) is not None]
    return round(sum(present) / len(present), 4) if present else None  # type: ignore[arg-type]


def compare_values(
    champion: Values, challenger: Values, names: dict[str, str], thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The comparison document of two runs' per-scenario values; ``names`` carries the config names/digests."""
    metrics = DETERMINISTIC_METRICS + JUDGE_METRICS
    deltas = []
    for name in metrics:
        a, b = _mean(champion, name), _mean(challenger, name)
        deltas.append(
            {
                "metric": name,
                "champion": a,
                "challenger": b,
                "delta": None if a is None or b is None else round(b - a, 4),
            }
        )
    tests = [metric_test(name, champion, challenger, thresholds) for name in metrics]
    directions = _directions(thresholds)
    scenarios, tally = [], {"win": 0, "loss": 0, "mixed": 0, "tie": 0}
    for case_id, values in champion.items():
        other = challenger.get(case_id)
        if other is None:
            continue
        better_on, worse_on = scenario_changes(values, other, directions)
        outcome = _outcome(better_on, worse_on)
        tally[outcome] += 1
        changed = {
            k: {"champion": values.get(k), "challenger": other.get(k)}
            for k in DETERMINISTIC_METRICS
            if values.get(k) != other.get(k)
        }
        scenarios.append(
            {"id": case_id, "outcome": outcome, "better": better_on, "worse": worse_on, "changed": changed}
        )
    worse = [t["metric"] for t in tests if t["verdict"] == "worse"]
    better = [t["metric"] for t in tests if t["verdict"] == "better"]
    regressions = [t["metric"] for t in tests if t["verdict"] == "worse" and t["gated"]]
    overall = "worse" if worse else "better" if better else "not distinguishable"
    return {
        "schema": COMPARE_SCHEMA,
        "champion": {"name": names.get("champion"), "digest": names.get("champion_digest")},
        "challenger": {"name": names.get("challenger"), "digest": names.get("challenger_digest")},
        "verdict": overall,
        "worse": worse,
        "better": better,
        "gated_regressions": regressions,
        "tests": tests,
        "deltas": deltas,
        "challenger_wins": tally["win"],
        "challenger_losses": tally["loss"],
        "mixed": tally["mixed"],
        "ties": tally["tie"],
        # the metrics a scenario's outcome (win, loss, mixed, tie) is judged on, each in its own direction
        "outcome_metrics": sorted(directions),
        "scenarios": scenarios,
    }


def compare_outputs(
    champion: RunOutput,
    challenger: RunOutput,
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """The comparison document (compare.json contract) of two runs on the same dataset."""
    names = {
        "champion": champion.config.name,
        "champion_digest": champion.config.digest(),
        "challenger": challenger.config.name,
        "challenger_digest": challenger.config.digest(),
    }
    document = compare_values(values_of(champion), values_of(challenger), names, thresholds)
    types = {run.case.id: run.case.case_type.value for run in champion.runs}
    for entry in document["scenarios"]:
        entry["case_type"] = types.get(entry["id"])
    return document
