"""Fixtures of the classifier tests: a deterministic fake embedder and one model trained with it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from agent.classifier import CaseClassifier, training
from agent.classifier.corpus import Example, load_corpus
from core.domain import CaseType
from core.settings import Settings


class HashingEmbedder:
    """A deterministic stand-in for MiniLM: hashed bag of words, L2-normalised (no model, no torch)."""

    name = "fake-hashing-embedder"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        for word in re.findall(r"[a-z]+", text.lower()):
            v[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = np.linalg.norm(v)
        return (v / norm if norm else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self._vector(text)


def small_corpus() -> list[Example]:
    """A slice of the committed corpus (every template once, a few hand-written) so API tests train fast."""
    examples = load_corpus()
    keep: list[Example] = []
    for case_type in CaseType:
        of_type = [e for e in examples if e.case_type is case_type]
        keep += [e for e in of_type if e.source == "generated"][:12] + [
            e for e in of_type if e.source == "handwritten"
        ][:3]
    return keep


@pytest.fixture(autouse=True)
def _small_training_corpus(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test but the ``slow`` ones trains on ``small_corpus``; the slow test uses the whole corpus."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(training, "load_corpus", small_corpus)


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a model trained once per test module with the fake embedder."""
    data_dir = tmp_path_factory.mktemp("clf") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "load_corpus", small_corpus)
        CaseClassifier.train(Settings(data_dir=data_dir), embedder=HashingEmbedder())
    return data_dir


@pytest.fixture
def trained(trained_dir: Path) -> CaseClassifier:
    return CaseClassifier.load_or_train(Settings(data_dir=trained_dir), embedder=HashingEmbedder())
