"""The classifier API the agent codes against, exercised with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agent.classifier import (
    CONFIDENCE_THRESHOLD,
    MAX_TEXT_CHARS,
    CaseClassifier,
    EmptyText,
    InvalidLabel,
    TextPrediction,
    TextTooLong,
    append_labelled_example,
)
from agent.classifier.store import labels_path, variant_dir
from core.domain import CaseType
from core.settings import Settings
from tests.classifier.conftest import HashingEmbedder


def test_prediction_contract(trained: CaseClassifier) -> None:
    pred = trained.predict("bene says PAY-00012345 never arrived, still waiting for the money")
    assert isinstance(pred, TextPrediction)
    assert set(pred.probabilities) == {c.value for c in CaseType}
    assert sum(pred.probabilities.values()) == pytest.approx(1.0)
    assert pred.confidence == pytest.approx(max(pred.probabilities.values()))
    assert pred.probabilities[pred.case_type.value] == pred.confidence
    second = sorted(pred.probabilities.values())[-2]
    assert pred.margin == pytest.approx(pred.confidence - second)
    assert pred.version == trained.version and trained.version.startswith("clf-full-")
    assert pred.confident == (pred.confidence >= CONFIDENCE_THRESHOLD)
    assert 0.0 < CONFIDENCE_THRESHOLD < 1.0


def test_predicts_clear_messages_of_several_types(trained: CaseClassifier) -> None:
    texts = {
        "the cover MT202 never arrived in our nostro, tracker shows G004": CaseType.MISSING_COVER,
        "customer fell for an APP scam and wants a refund": CaseType.FRAUD_RECALL,
        "what is the cut-off for TARGET payments": CaseType.GENERAL,
    }
    preds = trained.predict_many(list(texts))
    assert [p.case_type for p in preds] == list(texts.values())


def test_warm_up_embeds_once(trained_dir: Path) -> None:
    embedder = HashingEmbedder()
    clf = CaseClassifier.load_or_train(Settings(data_dir=trained_dir), embedder=embedder)
    clf.warm_up()
    assert embedder.calls == 1


def test_predict_many_keeps_order_and_matches_predict(trained: CaseClassifier) -> None:
    texts = ["where is PAY-00000001?", "why was I charged 35 USD on an OUR payment"]
    many = trained.predict_many(texts)
    assert [p.case_type for p in many] == [trained.predict(t).case_type for t in texts]
    assert trained.predict_many([]) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_a_clear_error(trained: CaseClassifier, text: str) -> None:
    with pytest.raises(EmptyText) as info:
        trained.predict(text)
    assert info.value.code == "empty_text"
    with pytest.raises(EmptyText):
        trained.predict_many(["where is it", text])


def test_oversized_text_is_a_clear_error(trained: CaseClassifier) -> None:
    with pytest.raises(TextTooLong):
        trained.predict("x" * (MAX_TEXT_CHARS + 1))


def test_training_is_deterministic(tmp_path: Path, trained: CaseClassifier) -> None:
    again = CaseClassifier.train(Settings(data_dir=tmp_path / "again"), embedder=HashingEmbedder())
    texts = ["recall this payment please", "bene got less than we sent", "AML hold G003, RFI received"]
    assert again.version == trained.version
    a = [p.probabilities for p in again.predict_many(texts)]
    b = [p.probabilities for p in trained.predict_many(texts)]
    assert a == b


def test_load_or_train_reuses_a_current_model(trained_dir: Path) -> None:
    model_file = variant_dir(Settings(data_dir=trained_dir), "full") / "model.joblib"
    before = model_file.stat().st_mtime_ns
    embedder = HashingEmbedder()
    clf = CaseClassifier.load_or_train(Settings(data_dir=trained_dir), embedder=embedder)
    assert model_file.stat().st_mtime_ns == before
    assert embedder.calls == 0  # nothing was embedded: the stored model was loaded
    assert clf.manifest["corpus_hash"] and clf.manifest["labels"] == sorted(c.value for c in CaseType)


def test_a_corrupt_model_is_retrained(tmp_path: Path, trained_dir: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = CaseClassifier.load_or_train(settings, embedder=HashingEmbedder(), variant="lexical")
    (variant_dir(settings, "lexical") / "model.joblib").write_bytes(b"not a model")
    again = CaseClassifier.load_or_train(settings, embedder=HashingEmbedder(), variant="lexical")
    assert again.version == first.version
    assert again.predict("where is my payment").case_type == first.predict("where is my payment").case_type


def test_lexical_variant_needs_no_embedder(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    clf = CaseClassifier.load_or_train(
        Settings(data_dir=tmp_path / "d"), embedder=embedder, variant="lexical"
    )
    assert clf.version.startswith("clf-lexical-") and embedder.calls == 0
    assert clf.predict("customer wants to recall the payment, sent by mistake").case_type in set(CaseType)


def test_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="variant"):
        CaseClassifier.load_or_train(Settings(data_dir=tmp_path / "d"), variant="bert")  # type: ignore[arg-type]


def test_labelled_examples_are_appended_and_train_only_when_asked(tmp_path: Path, trained_dir: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    record = append_labelled_example(
        settings, "zorblax frobnicate the quux", CaseType.CHARGES, user="analyst1", thread_id="t-1"
    )
    append_labelled_example(settings, "second correction", "duplicate", source="ui")
    lines = [json.loads(line) for line in labels_path(settings).read_text().splitlines()]
    assert lines[0] == record and record["case_type"] == "charges" and record["user"] == "analyst1"
    assert lines[1]["source"] == "ui" and lines[1]["case_type"] == "duplicate"
    base = CaseClassifier.load_or_train(settings, embedder=HashingEmbedder(), variant="lexical")
    with_labels = CaseClassifier.load_or_train(
        settings, embedder=HashingEmbedder(), variant="lexical", include_labels=True
    )
    assert base.manifest["examples"]["by_source"].get("analyst") is None
    assert with_labels.manifest["examples"]["by_source"]["analyst"] == 2
    assert with_labels.version != base.version
    # A new label makes the labelled model stale, but not the release trained on the corpus alone.
    append_labelled_example(settings, "third correction", "general")
    assert CaseClassifier.load_or_train(settings, variant="lexical").version == base.version
    newer = CaseClassifier.load_or_train(settings, variant="lexical", include_labels=True)
    assert newer.version != with_labels.version


@pytest.mark.parametrize(
    ("text", "case_type", "error"), [("", "charges", EmptyText), ("hi", "nope", InvalidLabel)]
)
def test_bad_labels_are_refused(tmp_path: Path, text: str, case_type: str, error: type[Exception]) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(error):
        append_labelled_example(settings, text, case_type)
    assert not labels_path(settings).exists() or labels_path(settings).read_text() == ""


def test_probabilities_are_calibrated_not_one_hot(trained: CaseClassifier) -> None:
    confidences = np.array([p.confidence for p in trained.predict_many(["help", "payment issue", "urgent"])])
    assert (confidences < 0.999).all()
