"""Retrieval fixtures: a deterministic hashed bag-of-words embedder and a small fixture corpus."""

from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from retrieval.lexical import tokenize

FIXTURE_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"


class FakeEmbedder:
    """Hashed bag of words (64 dims, L2-normalised): deterministic, instant, and counts what it embeds."""

    name = "fake-hash-64"
    dim = 64

    def __init__(self) -> None:
        self.documents_embedded = 0
        self.queries_embedded = 0

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for token in tokenize(text) or ["_"]:
            slot = int(hashlib.md5(token.encode()).hexdigest()[:8], 16) % self.dim
            vec[slot] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents_embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries_embedded += 1
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture
def built(settings: Settings, corpus_dir: Path, fake_embedder: FakeEmbedder):
    """Settings, corpus dir and embedder of an index built from the fixture corpus."""
    from retrieval.index import build_index

    build_index(settings, embedder=fake_embedder, corpus_dir=corpus_dir)
    return settings, corpus_dir, fake_embedder
