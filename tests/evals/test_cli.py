"""CLI input errors of the gate options: one line naming the file and the field, exit 2, nothing run."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from evals.cli import eval_app
from evals.config import CONFIG_DIR

CASE = {
    "id": "gen-1",
    "case_type": "general",
    "turns": [{"role": "analyst", "content": "What is the TARGET cut-off?"}],
}


def _dataset(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    return path


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_the_same_case_id_in_two_dataset_files_is_refused(tmp_path: Path) -> None:
    args = ["--dataset", str(_dataset(tmp_path, "a.jsonl")), "--dataset", str(_dataset(tmp_path, "b.jsonl"))]
    line = _one_error_line(CliRunner().invoke(eval_app, [*args, "--no-judge"]))
    assert line == "error: b.jsonl: field 'id': 'gen-1' is also in a.jsonl"


def test_a_baseline_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    baseline = tmp_path / "report.json"
    baseline.write_text("{}", encoding="utf-8")
    args = ["--dataset", str(_dataset(tmp_path, "a.jsonl")), "--no-judge", "--baseline", str(baseline)]
    line = _one_error_line(CliRunner().invoke(eval_app, args))
    assert line == f"error: {baseline}: field 'scenarios': not an eval report.json"


def test_a_configuration_needing_a_missing_agent_feature_stops_before_running(tmp_path: Path) -> None:
    args = ["--dataset", str(_dataset(tmp_path, "a.jsonl")), "--no-judge", "--json"]
    config = tmp_path / "needs-feature.yaml"
    source = (CONFIG_DIR / "degraded-no-verifier.yaml").read_text()
    config.write_text(source.replace("requires: [verifier]", "requires: [time_travel]"))
    line = _one_error_line(CliRunner().invoke(eval_app, [*args, "--config", str(config)]))
    assert "configuration 'degraded-no-verifier' needs agent feature(s) time_travel" in line


def test_compare_needs_exactly_one_champion(tmp_path: Path) -> None:
    data = ["--dataset", str(_dataset(tmp_path, "a.jsonl")), "--no-judge"]
    challenger = ["--challenger", str(CONFIG_DIR / "degraded-noplan.yaml")]
    expected = (
        "error: give the champion as --champion (a configuration to run) or --champion-report (a stored run)"
    )
    assert _one_error_line(CliRunner().invoke(eval_app, ["compare", *data, *challenger])) == expected
    both = ["--champion", str(CONFIG_DIR / "champion.yaml"), "--champion-report", str(tmp_path / "r.json")]
    assert _one_error_line(CliRunner().invoke(eval_app, ["compare", *data, *challenger, *both])) == expected


def test_compare_refuses_a_stored_champion_run_of_other_data(tmp_path: Path) -> None:
    stored = tmp_path / "report.json"
    entry = {"path": "a.jsonl", "sha256": "0" * 64, "cases": 1}
    stored.write_text(
        json.dumps(
            {
                "config": {"name": "champion"},
                "datasets": [entry],
                "scenarios": [{"id": "gen-1", "values": {}}],
            }
        ),
        encoding="utf-8",
    )
    args = [
        "compare",
        "--dataset",
        str(_dataset(tmp_path, "a.jsonl")),
        "--no-judge",
        "--champion-report",
        str(stored),
        "--challenger",
        str(CONFIG_DIR / "degraded-noplan.yaml"),
    ]
    line = _one_error_line(CliRunner().invoke(eval_app, args))
    assert (
        line
        == f"error: {stored}: field 'datasets': the stored run was measured on other data than "
        + str(tmp_path / "a.jsonl")
    )


def test_the_compare_table_is_not_cut_short_in_a_log(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Piped to a CI log (no terminal, no COLUMNS) the table is wide enough for every metric name and column."""
    from evals.cli import _print_compare
    from evals.compare import compare_values
    from evals.gate import Threshold, Thresholds

    monkeypatch.delenv("COLUMNS", raising=False)
    thresholds = Thresholds(version="t", metrics={"tool_call_accuracy": Threshold(min=0.9)})
    champion = {f"c{i}": {"tool_call_accuracy": 1.0, "unsupported_claims": 0.0} for i in range(3)}
    challenger = {f"c{i}": {"tool_call_accuracy": 0.5, "unsupported_claims": 0.0} for i in range(3)}
    names = {"champion": "champion-config", "challenger": "degraded-challenger-config"}
    _print_compare(compare_values(champion, challenger, names, thresholds))
    printed = capsys.readouterr().out
    assert "0 wins, 3 losses, 0 mixed, 0 ties" in printed
    for text in ("tool_call_accuracy", "verifier_removed_claims", "95% CI of delta", "McNemar p", "(gated)"):
        assert text in printed, text
    assert "…" not in printed
