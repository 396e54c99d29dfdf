"""The eval report: a JSON document (stable contract) and an HTML page with inline plots."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.gate import GateResult
from evals.metrics import DETERMINISTIC_METRICS, JUDGE_METRICS, aggregate
from evals.runner import RunOutput
from evals.segments import case_segments
from evals.stats import median_ci

REPORT_SCHEMA = "payinvest.eval.report/1"


def by_case_type(output: RunOutput) -> dict[str, dict[str, Any]]:
    """Aggregate metrics per case type (with the number of scenarios)."""
    groups: dict[str, list[Any]] = {}
    for run in output.runs:
        groups.setdefault(run.score.case_type, []).append(run.score)
    return {
        case_type: {"n": len(scores), **aggregate(scores, DETERMINISTIC_METRICS)}
        for case_type, scores in sorted(groups.items())
    }


def observed_prompt_versions(output: RunOutput) -> dict[str, str]:
    """Prompt name -> version as recorded by the agent's LLM calls during the run."""
    versions: dict[str, str] = {}
    for run in output.runs:
        for turn in run.trajectory.turns:
            versions.update(turn.prompt_versions)
    return dict(sorted(versions.items()))


def observed_models(output: RunOutput) -> list[str]:
    """Models named by the agent's LLM calls."""
    return sorted({t.model for r in output.runs for t in r.trajectory.turns if t.model})


def latency(output: RunOutput) -> dict[str, Any]:
    """Turn latency (harness wall time per analyst turn) and time-to-findings medians with bootstrap intervals."""
    turns = [t for r in output.runs for t in r.trajectory.turns if t.role == "analyst" and not t.error]
    walls = [t.wall_s for t in turns if t.wall_s is not None]
    findings = [t.findings_latency_s for t in turns if t.findings_latency_s is not None]

    def summary(values: list[float], what: str) -> dict[str, Any]:
        if not values:
            return {"n": 0, "median_s": None, "ci": None, "note": f"{what} not reported by the agent"}
        ordered = sorted(values)
        return {
            "n": len(values),
            "median_s": round(statistics.median(values), 3),
            "ci": median_ci(values),
            "p90_s": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 3),
            "values_s": [round(v, 3) for v in values],
        }

    return {"turn": summary(walls, "turn latency"), "findings": summary(findings, "time to findings")}


def case_type_sources(output: RunOutput) -> dict[str, int]:
    """How the agent decided the case type, per analyst turn (classifier, rules, llm, analyst, ...)."""
    counts: dict[str, int] = {}
    for run in output.runs:
        for turn in run.trajectory.analyst_turns():
            key = turn.case_type_source or ("unreported" if turn.case_type else "none")
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def scenario_entry(run: Any) -> dict[str, Any]:
    """One scenario's results in the report."""
    trajectory = run.trajectory
    return {
        "id": run.case.id,
        "scenario_id": run.case.scenario_id,
        "case_type": run.score.case_type,
        "tags": run.case.tags,
        "segments": case_segments(run.case),
        "values": run.score.values,
        "passed": run.score.values.get("safety") == 1.0 and not trajectory.error and not run.score.notes,
        "notes": run.score.notes,
        "safety_violations": run.score.safety_violations,
        "error": trajectory.error,
        "duration_s": trajectory.duration_s,
        "llm_calls": sum(t.llm_calls for t in trajectory.turns),
        "tokens": sum(t.tokens for t in trajectory.turns),
        "llm_failures": sum(t.llm_failures for t in trajectory.turns),
        "llm_seconds": round(sum(t.llm_latency_s for t in trajectory.turns), 2),
        "trajectory": trajectory.model_dump(mode="json"),
    }


def build_report(
    output: RunOutput,
    *,
    metrics: dict[str, float | None],
    gate: GateResult | None,
    context: dict[str, Any],
) -> dict[str, Any]:
    """The report.json document; ``context`` carries provider, model, hashes, dataset and git commit."""
    config = output.config
    turns = [t for r in output.runs for t in r.trajectory.turns if t.role == "analyst" and not t.error]
    return {
        "schema": REPORT_SCHEMA,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"name": config.name, "digest": config.digest(), **config.model_dump(mode="json")},
        "provider": context.get("provider"),
        "model": context.get("model") or next(iter(observed_models(output)), None),
        "models_observed": observed_models(output),
        "prompt_versions": {**config.prompt_versions, **observed_prompt_versions(output)},
        "corpus_hash": context.get("corpus_hash"),
        "index_corpus_hash": context.get("index_corpus_hash"),
        "dataset": context.get("dataset"),
        "git_commit": context.get("git_commit"),
        "thresholds_version": gate.thresholds_version if gate else context.get("thresholds_version"),
        "metrics": metrics,
        "metrics_ci": context.get("metrics_ci", {}),
        "gate": gate.model_dump(mode="json") if gate else None,
        "baseline": baseline_summary(context.get("baseline")),
        "worst_segment": context.get("worst_segment"),
        "judge": output.judge,
        "by_case_type": by_case_type(output),
        "segments": context.get("segments", {}),
        "latency": latency(output),
        "case_type_sources": case_type_sources(output),
        "classifier": context.get("classifier"),
        "manifest": context.get("manifest"),
        "datasets": context.get("datasets", []),
        "seconds": output.seconds,
        "lanes": output.lanes,
        "llm_calls": sum(t.llm_calls for r in output.runs for t in r.trajectory.turns),
        "llm_failures": sum(t.llm_failures for r in output.runs for t in r.trajectory.turns),
        "seconds_per_analyst_turn": round(output.seconds / len(turns), 2) if turns else None,
        "scenarios": [scenario_entry(run) for run in output.runs],
    }


def baseline_summary(comparison: dict[str, Any] | None) -> dict[str, Any] | None:
    """The paired comparison with ``--baseline`` (evals.compare.compare_values) without the per-case rows."""
    if not comparison:
        return None
    keep = ("champion", "verdict", "worse", "better", "gated_regressions", "tests")
    return {key: comparison.get(key) for key in keep}


def write_report(report: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """Write report.json and report.html into ``directory``."""
    from evals.report_html import render_html

    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "report.json"
    html_path = directory / "report.html"
    json_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


ALL_METRICS = DETERMINISTIC_METRICS + JUDGE_METRICS
