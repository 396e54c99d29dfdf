"""Fixtures of the classifier tests: a deterministic fake embedder and one model trained with it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from agent.classifier import CaseClassifier
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


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a model trained once per test module with the fake embedder."""
    data_dir = tmp_path_factory.mktemp("clf") / "data"
    CaseClassifier.train(Settings(data_dir=data_dir), embedder=HashingEmbedder())
    return data_dir


@pytest.fixture
def trained(trained_dir: Path) -> CaseClassifier:
    return CaseClassifier.load_or_train(Settings(data_dir=trained_dir), embedder=HashingEmbedder())
