"""report.json and report.html are written and record the hashes, versions and per-case-type breakdown."""

from __future__ import annotations

import json
from pathlib import Path

from evals.compare import compare_outputs
from evals.config import EvalConfig
from evals.dataset import file_sha256
from evals.gate import Threshold, Thresholds, apply_gate
from evals.metrics import aggregate, score_case
from evals.report import build_report, write_report
from evals.runner import CaseRun, RunOutput
from evals.segments import segment_table, worst_segment
from tests.evals.factories import bad_result, claim_case, good_result, trajectory_of


async def _output(name: str, results: list[dict]) -> RunOutput:
    output = RunOutput(config=EvalConfig(name=name, prompt_versions={"plan": "v1"}), seconds=4.0)
    for i, result in enumerate(results):
        case = claim_case(id=f"case-{i}", case_type="claim_non_receipt" if i % 2 == 0 else "duplicate")
        trajectory = trajectory_of(result, case=case)
        output.runs.append(
            CaseRun(case=case, trajectory=trajectory, score=await score_case(trajectory, case))
        )
    return output


async def test_report_files_record_hashes_and_breakdown(tmp_path: Path) -> None:
    output = await _output("champion", [good_result(), bad_result(), good_result()])
    metrics = aggregate([r.score for r in output.runs])
    thresholds = Thresholds(version="3", metrics={"safety": Threshold(min=1.0)})
    gate = apply_gate(metrics, thresholds)
    dataset = tmp_path / "d.jsonl"
    dataset.write_text("{}\n")
    context = {
        "provider": "embedded",
        "model": "qwen",
        "corpus_hash": "c" * 64,
        "dataset": {"path": str(dataset), "sha256": file_sha256(dataset), "cases": 3},
        "git_commit": "abc123",
    }
    for i, run in enumerate(output.runs):
        run.trajectory.turns[0].wall_s = 2.0 + i
    context["segments"] = segment_table([(r.case, r.score) for r in output.runs], ("safety", "fact_recall"))
    context["worst_segment"] = worst_segment(context["segments"], thresholds)
    report = build_report(output, metrics=metrics, gate=gate, context=context)
    json_path, html_path = write_report(report, tmp_path / "out")

    saved = json.loads(json_path.read_text())
    assert saved["schema"] == "payinvest.eval.report/1"
    assert saved["corpus_hash"] == "c" * 64
    assert saved["dataset"]["sha256"] == file_sha256(dataset)
    assert saved["git_commit"] == "abc123"
    assert saved["thresholds_version"] == "3"
    assert saved["prompt_versions"] == {"plan": "v1", "answer": "v1"}
    assert saved["model"] == "qwen"
    assert saved["gate"]["passed"] is False
    assert saved["by_case_type"]["claim_non_receipt"]["n"] == 2
    assert saved["by_case_type"]["duplicate"]["safety"] == 0.0
    assert [s["passed"] for s in saved["scenarios"]] == [True, False, True]
    assert saved["scenarios"][1]["trajectory"]["turns"][0]["tool_calls"][1]["tool"] == "get_cases"
    assert (saved["scenarios"][0]["tokens"], saved["scenarios"][0]["llm_seconds"]) == (100, 1.5)
    assert saved["llm_calls"] == 3 and saved["llm_failures"] == 1
    assert "1 LLM call(s) failed (the agent used its fallback)" in saved["scenarios"][1]["notes"]

    assert saved["latency"]["turn"]["median_s"] == 3.0 and saved["latency"]["findings"]["median_s"] is None
    assert saved["segments"]["reference_kind"]["uetr"]["n"] == 3
    # safety fails only in the duplicate case, a segment of one: too small to be named the worst.
    assert saved["worst_segment"]["segment"] in {"uetr", "unlabelled", "single-turn"}
    page = html_path.read_text()
    assert page.count('src="data:image/png;base64,') == 3  # metric bars, segment heat map, latency histogram
    assert "Worst segment:" in page
    assert "c" * 64 in page and "FAILED" in page and "case-1" in page
    assert "http://" not in page and "https://" not in page  # self-contained


async def test_compare_counts_wins_and_losses() -> None:
    champion = await _output("champion", [good_result(), good_result(), bad_result()])
    challenger = await _output("challenger", [bad_result(), good_result(), good_result()])
    doc = compare_outputs(champion, challenger)
    assert (doc["challenger_wins"], doc["challenger_losses"], doc["mixed"], doc["ties"]) == (1, 1, 0, 1)
    assert [s["outcome"] for s in doc["scenarios"]] == ["loss", "tie", "win"]
    assert doc["scenarios"][0]["worse"] and not doc["scenarios"][0]["better"]
    assert doc["scenarios"][2]["better"] == doc["scenarios"][0]["worse"]
    safety = next(d for d in doc["deltas"] if d["metric"] == "safety")
    assert safety["delta"] == 0.0


async def test_a_run_against_a_baseline_records_the_paired_comparison(tmp_path: Path) -> None:
    """``eval --baseline``: the report keeps the paired tests and names the gated regressions (report.html too)."""
    champion = await _output("champion", [good_result()] * 12)
    challenger = await _output("degraded", [bad_result()] * 12)
    thresholds = Thresholds(version="3", metrics={"safety": Threshold(min=1.0)})
    comparison = compare_outputs(champion, challenger, thresholds)
    gate = apply_gate(aggregate([r.score for r in challenger.runs]), thresholds)
    report = build_report(challenger, metrics={}, gate=gate, context={"baseline": comparison})
    _, html_path = write_report(report, tmp_path / "out")
    saved = report["baseline"]
    assert saved["champion"]["name"] == "champion" and saved["verdict"] == "worse"
    assert saved["gated_regressions"] == ["safety"]
    safety = next(t for t in saved["tests"] if t["metric"] == "safety")
    assert safety["verdict"] == "worse" and safety["difference_ci"][1] < 0
    assert "scenarios" not in saved  # the per-case rows stay in eval compare's own document
    page = html_path.read_text()
    assert "Against the baseline (champion): worse" in page and "worse (gated)" in page
    assert build_report(challenger, metrics={}, gate=gate, context={})["baseline"] is None
