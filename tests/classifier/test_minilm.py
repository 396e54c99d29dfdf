"""The shipped configuration end to end: real MiniLM embeddings, the whole corpus, the held-out numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.classifier import CONFIDENCE_THRESHOLD, CaseClassifier, classifier_report
from core.domain import CaseType
from core.settings import Settings

# Floors a few points under the numbers measured on the committed corpus (docs/classifier.md): held-out
# accuracy 0.886, macro-F1 0.887, ECE 0.028, accepted accuracy 0.947 at the threshold, CV accuracy 0.915.
ACCURACY_FLOOR = 0.86
MACRO_F1_FLOOR = 0.86
ECE_CEILING = 0.08
ACCEPTED_ACCURACY_FLOOR = 0.92


@pytest.mark.slow
def test_minilm_classifier_meets_its_floors(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    clf = CaseClassifier.load_or_train(settings)
    report = classifier_report(settings)
    held = report["heldout"]
    assert report["version"] == clf.version and report["examples"]["total"] >= 600
    assert held["accuracy"] >= ACCURACY_FLOOR
    assert held["macro_f1"] >= MACRO_F1_FLOOR
    assert held["ece_10_bins"] <= ECE_CEILING
    assert held["at_threshold"]["threshold"] == CONFIDENCE_THRESHOLD
    assert held["at_threshold"]["accuracy"] >= ACCEPTED_ACCURACY_FLOOR
    assert report["cv_accuracy_5fold"] >= ACCURACY_FLOOR
    # Hard negatives the old LLM intake got wrong, phrased afresh (not from any evaluation file).
    cases = {
        "bene still waiting, says PAY-00000042 never came in": CaseType.CLAIM_NON_RECEIPT,
        "incoming payment for an account we closed in the summer, send it back": CaseType.RETURN_OF_FUNDS,
        "the beneficiary agreed to give the money back after the recall, book the return": CaseType.RETURN_OF_FUNDS,
        "the repeat copy has not settled yet, cancel it DUPL": CaseType.CANCELLATION_RECALL,
    }
    predictions = clf.predict_many(list(cases))
    assert [p.case_type for p in predictions] == list(cases.values())
