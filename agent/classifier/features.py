"""Features of a message: reference-free text, TF-IDF n-grams and cached sentence embeddings.

References, amounts, dates and numbers are replaced by placeholder words before anything is computed, so
a payment id or an amount in the training corpus can never become a feature of its case type.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from core.domain import BIC_PATTERN, CASE_ID_PATTERN, E2E_ID_PATTERN, IBAN_PATTERN, UETR_PATTERN

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(UETR_PATTERN, re.IGNORECASE), " payref "),
    (re.compile(r"\bPAY-\d+\b", re.IGNORECASE), " payref "),
    (re.compile(rf"\b{E2E_ID_PATTERN}\b", re.IGNORECASE), " payref "),
    (re.compile(rf"\b{CASE_ID_PATTERN}\b", re.IGNORECASE), " caseref "),
    (re.compile(rf"(?<![A-Za-z0-9]){IBAN_PATTERN}(?![A-Za-z0-9])"), " ibanref "),
    (re.compile(r"\b20\d{2}-[01]\d-[0-3]\d\b"), " dateval "),
    (re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"), " dateval "),
    # Amounts and any other number (a "k" suffix included); codes such as G003 or MT103 keep their digits.
    (re.compile(r"(?<![A-Za-z0-9.])\d[\d,]*(?:\.\d+)?(?:k|m|bn)?(?![A-Za-z0-9])", re.IGNORECASE), " num "),
)
_BIC_RE = re.compile(rf"(?<![A-Za-z0-9]){BIC_PATTERN}(?![A-Za-z0-9])")


@lru_cache(maxsize=4096)
def _is_bic(token: str) -> bool:
    # An 8- or 11-letter capitalised word ("RETURNED") matches the pattern; schwifty checks the country.
    try:
        from schwifty import BIC

        BIC(token)
        return True
    except Exception:  # schwifty raises several ValueError subclasses
        return False


def normalise_text(text: str) -> str:
    """The message with identifiers, amounts, dates and numbers replaced by placeholder words."""
    out = _BIC_RE.sub(lambda m: " bicref " if _is_bic(m.group(0)) else m.group(0), text)
    for pattern, placeholder in _SUBSTITUTIONS:
        out = pattern.sub(placeholder, out)
    return " ".join(out.split())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Sentence embeddings by text hash, kept in one ``.npz`` file per embedder under the data directory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if path is not None and path.exists():
            try:
                with np.load(path) as data:
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a corrupt cache is only a slower training

    def embed(self, texts: list[str], embedder: Embedder) -> np.ndarray:
        """Vectors for ``texts`` (rows in order), embedding only the texts not cached yet."""
        keys = [text_hash(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors))
        if missing:
            # One message (a prediction) takes the embedder's single-query path: no batching, LRU-cached.
            vectors = (
                [embedder.embed_query(missing[0])] if len(missing) == 1 else embedder.embed_documents(missing)
            )
            for text, vector in zip(missing, vectors, strict=True):
                self._vectors[text_hash(text)] = np.asarray(vector, dtype=np.float32)
            self._dirty = True
        return np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
        self._dirty = False


class TextColumn(BaseEstimator, TransformerMixin):
    """Selects the normalised text from ``(text, embedding)`` rows."""

    def fit(self, X: list[tuple[str, Any]], y: Any = None) -> TextColumn:
        return self

    def transform(self, X: list[tuple[str, Any]]) -> list[str]:
        return [text for text, _ in X]


class EmbeddingColumn(BaseEstimator, TransformerMixin):
    """Selects the embedding from ``(text, embedding)`` rows, scaled so it weighs against the n-grams."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, X: list[tuple[str, Any]], y: Any = None) -> EmbeddingColumn:
        return self

    def transform(self, X: list[tuple[str, Any]]) -> sparse.csr_matrix:
        return sparse.csr_matrix(np.vstack([emb for _, emb in X]) * self.weight)


def _lexical() -> Any:
    from sklearn.pipeline import make_pipeline

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)
    # Character n-grams inside word boundaries survive typos ("recieved", "benficiary").
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True
    )
    return make_pipeline(TextColumn(), FeatureUnion([("words", words), ("chars", chars)]))


def build_features(with_embeddings: bool, embedding_weight: float) -> FeatureUnion:
    """Lexical n-grams, plus the sentence embedding when ``with_embeddings`` (the "full" variant)."""
    parts: list[tuple[str, Any]] = [("lexical", _lexical())]
    if with_embeddings:
        parts.append(("embedding", EmbeddingColumn(embedding_weight)))
    return FeatureUnion(parts)
