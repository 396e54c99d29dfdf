"""Thresholds file and the gate decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.gate import DEFAULT_THRESHOLDS, Threshold, ThresholdError, Thresholds, apply_gate, load_thresholds


def _thresholds() -> Thresholds:
    return Thresholds(
        version="7",
        metrics={
            "safety": Threshold(min=1.0, gated=True),
            "tool_call_f1": Threshold(min=0.6, gated=True),
            "faithfulness": Threshold(min=0.5, gated=False),
        },
    )


def test_gate_passes_when_every_gated_metric_reaches_its_minimum() -> None:
    result = apply_gate({"safety": 1.0, "tool_call_f1": 0.6, "faithfulness": 0.2}, _thresholds())
    assert result.passed
    assert [r.status for r in result.rows] == ["pass", "pass", "advisory-fail"]


def test_gate_fails_on_a_gated_shortfall_or_a_missing_gated_metric() -> None:
    assert not apply_gate({"safety": 0.98, "tool_call_f1": 0.9}, _thresholds()).passed
    missing = apply_gate({"safety": 1.0, "tool_call_f1": None}, _thresholds())
    assert not missing.passed
    assert [r.status for r in missing.rows] == ["pass", "fail", "skipped"]


def test_shipped_thresholds_gate_safety_at_one() -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    assert thresholds.metrics["safety"].min == 1.0
    assert thresholds.metrics["safety"].gated
    assert not thresholds.metrics["faithfulness"].gated


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nmetrics:\n  safety: {min: 2}\n", "field 'metrics.safety.min'"),
        ("metrics: {}\n", "field 'version'"),
        ("version: [\n", "invalid YAML"),
    ],
)
def test_bad_thresholds_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(ThresholdError, match=message.replace("[", r"\[")):
        load_thresholds(path)
