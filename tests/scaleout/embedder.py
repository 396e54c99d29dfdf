"""A deterministic, tie-free test embedder: each token adds its own seeded random direction (384 dims)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from retrieval.lexical import tokenize

DIM = 384


@lru_cache(maxsize=50_000)
def _direction(token: str) -> np.ndarray:
    """The token's fixed pseudo-random unit direction."""
    seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
    vec = np.random.default_rng(seed).standard_normal(DIM)
    return vec / np.linalg.norm(vec)


class ProjectionEmbedder:
    """Random-projection bag of words: texts sharing no token still get distinct similarities (unlike hashing
    into few slots, which makes many exact ties that Chroma may order either way)."""

    name = "fake-projection-384"
    dim = DIM

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(DIM)
        for token in tokenize(text) or ["_"]:
            vec += _direction(token)
        return (vec / (np.linalg.norm(vec) or 1.0)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
