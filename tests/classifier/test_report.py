"""``classifier_report`` and ``payinvest classifier ... --json``: the keys other tools read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.classifier import classifier_report
from agent.classifier.report import REPORT_KEYS
from core.cli import app
from core.domain import CaseType
from core.settings import Settings, get_settings
from tests.classifier.conftest import HashingEmbedder, small_corpus

HELDOUT_KEYS = {
    "n",
    "accuracy",
    "macro_f1",
    "per_class_f1",
    "confusion_matrix",
    "ece_10_bins",
    "mean_confidence",
    "at_threshold",
    "recommended_threshold",
    "selective_curve",
    "accuracy_by_source",
    "temperature",
}


def _check_report(report: dict) -> None:
    assert tuple(report) == REPORT_KEYS
    held = report["heldout"]
    assert set(held) == HELDOUT_KEYS
    labels = sorted(c.value for c in CaseType)
    assert report["labels"] == labels and list(held["per_class_f1"]) == labels
    matrix = held["confusion_matrix"]["rows_true_columns_predicted"]
    assert held["confusion_matrix"]["labels"] == labels
    assert len(matrix) == len(labels) and all(len(row) == len(labels) for row in matrix)
    assert sum(map(sum, matrix)) == held["n"]
    assert 0.0 <= held["ece_10_bins"] <= 1.0 and 0.0 <= held["accuracy"] <= 1.0
    assert 0.0 <= report["cv_accuracy_5fold"] <= 1.0
    assert set(held["accuracy_by_source"]) == {"generated", "handwritten"}


def test_report_keys(trained_dir: Path) -> None:
    report = classifier_report(Settings(data_dir=trained_dir), embedder=HashingEmbedder())
    _check_report(report)
    assert report["variant"] == "full" and report["examples"]["total"] == len(small_corpus())


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield Settings(data_dir=tmp_path / "data")
    get_settings.cache_clear()


def test_cli_report_json_contract(cli_env) -> None:
    # The lexical variant needs no embedder, so the real command runs here in seconds.
    result = CliRunner().invoke(app, ["classifier", "report", "--variant", "lexical", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    _check_report(report)
    assert report["variant"] == "lexical"


def test_cli_predict_json_and_errors(cli_env) -> None:
    ok = CliRunner().invoke(
        app, ["classifier", "predict", "where is PAY-00000001", "--variant", "lexical", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    pred = json.loads(ok.stdout)
    assert {"case_type", "confidence", "probabilities", "margin", "version", "confident"} <= set(pred)
    empty = CliRunner().invoke(app, ["classifier", "predict", " ", "--variant", "lexical", "--json"])
    assert empty.exit_code == 2 and "Traceback" not in empty.output
    assert json.loads(empty.stdout.splitlines()[0])["error"]["code"] == "empty_text"
    bad = CliRunner().invoke(app, ["classifier", "train", "--variant", "bert"])
    assert bad.exit_code == 2 and "unknown variant" in bad.output


def test_cli_corpus_stats(cli_env) -> None:
    result = CliRunner().invoke(app, ["classifier", "corpus", "--json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["total"] >= 600 and len(stats["by_label"]) == len(CaseType)
