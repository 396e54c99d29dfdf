"""The training corpus: deterministic generator, size and balance, no duplicates, splits that do not leak."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agent.classifier.corpus import (
    GENERATED_PATH,
    HANDWRITTEN_PATH,
    generate_examples,
    load_corpus,
    read_jsonl,
    text_key,
    write_generated,
)
from agent.classifier.errors import CorpusError
from agent.classifier.features import normalise_text
from agent.classifier.model import grouped_folds
from agent.classifier.training import CV_FOLDS, holdout_split
from core.domain import CaseType


def test_regenerating_gives_the_committed_file(tmp_path: Path) -> None:
    target = tmp_path / "generated.jsonl"
    write_generated(target)
    assert target.read_bytes() == GENERATED_PATH.read_bytes()


def test_generator_is_deterministic_and_seed_dependent() -> None:
    assert generate_examples(seed=7, per_class=5) == generate_examples(seed=7, per_class=5)
    assert generate_examples(seed=7, per_class=5) != generate_examples(seed=8, per_class=5)


def test_corpus_size_and_balance() -> None:
    examples = load_corpus()
    counts = Counter(e.case_type for e in examples)
    assert len(examples) >= 600
    assert set(counts) == set(CaseType)
    assert min(counts.values()) >= 30
    assert sum(e.source == "handwritten" for e in examples) >= 150


def test_no_duplicates_even_after_normalising_references() -> None:
    keys = [text_key(normalise_text(e.text)) for e in load_corpus()]
    assert len(keys) == len(set(keys))
    ids = [e.id for e in load_corpus()]
    assert len(ids) == len(set(ids))


def test_heldout_split_shares_no_text_and_no_template_with_training() -> None:
    examples = load_corpus()
    y = [e.case_type.value for e in examples]
    groups = [e.group for e in examples]
    train, test = holdout_split(y, groups, seed=20261201)
    assert set(train).isdisjoint(test) and len(train) + len(test) == len(examples)
    assert 0.15 <= len(test) / len(examples) <= 0.25
    train_text = {text_key(normalise_text(examples[i].text)) for i in train}
    assert not any(text_key(normalise_text(examples[i].text)) in train_text for i in test)
    assert {groups[i] for i in train}.isdisjoint({groups[i] for i in test})
    assert {y[i] for i in test} == set(y)  # stratified: every case type is measured
    assert holdout_split(y, groups, seed=20261201) == (train, test)
    assert len(grouped_folds(y, groups, CV_FOLDS, 1)) == CV_FOLDS


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("bene says PAY-00012345 never arrived", "00012345", "payref"),
        ("uetr 6b1f0d2e-7c4a-4e19-9d2b-0a5c3e8f1b77 stuck", "6b1f0d2e", "payref"),
        ("re CASE-000123: recall E2E-INV88231 for EUR 12,500.00", "88231", "caseref"),
        ("sent 2026-11-03 to DE89370400440532013000 via DEUTDEFF", "DE89", "ibanref"),
        ("G004 on the MT103, camt.056 pending, 1.2m usd", "1.2m", "camt.056"),
    ],
)
def test_references_and_numbers_never_reach_the_features(text: str, absent: str, present: str) -> None:
    out = normalise_text(text)
    assert absent not in out and present in out


def test_a_bad_corpus_line_is_a_corpus_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "case_type": "not_a_type"}\n')
    with pytest.raises(CorpusError, match="line 1"):
        read_jsonl(bad, "handwritten")
    with pytest.raises(CorpusError, match="missing"):
        read_jsonl(tmp_path / "absent.jsonl", "handwritten")
    assert HANDWRITTEN_PATH.exists()
