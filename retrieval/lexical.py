"""BM25 (bm25s) over the chunks, with a tokeniser that keeps payment codes such as G004 or camt.056 whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from retrieval.chunking import Chunk

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[./\-][a-z0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "what",
        "does",
        "do",
        "we",
        "our",
        "i",
        "my",
        "me",
        "you",
        "your",
        "how",
        "when",
        "where",
        "which",
        "who",
        "can",
        "should",
        "has",
        "have",
        "had",
        "been",
        "from",
        "about",
        "any",
        "after",
        "before",
        "so",
        "than",
        "them",
        "its",
        "also",
        "may",
        "must",
    ]
)
CHUNKS_FILE = "chunks.jsonl"


def _normalise_word(word: str) -> str:
    """Light plural folding (no stemmer is installed): 'recalls' -> 'recall', 'charges' -> 'charge'."""
    if len(word) > 4 and word.isalpha():
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case tokens; compound codes ('camt.056', 'sop-001') are kept and also split into their parts."""
    tokens: list[str] = []
    for raw in _TOKEN_RE.findall(text.lower()):
        if raw in _STOPWORDS:
            continue
        tokens.append(_normalise_word(raw))
        if any(sep in raw for sep in "./-"):
            tokens.extend(_normalise_word(p) for p in re.split(r"[./\-]", raw) if p and p not in _STOPWORDS)
    return tokens


def lexical_text(chunk: Chunk) -> str:
    """Text BM25 indexes: the section title counts twice (field boost), then breadcrumb and body."""
    return f"{chunk.section_title}\n{chunk.embed_text}"


class LexicalIndex:
    """A saved bm25s index plus the chunk records it was built from (row i is chunk i)."""

    def __init__(self, bm25: object, chunks: list[Chunk]) -> None:
        self.bm25 = bm25
        self.chunks = chunks

    @classmethod
    def build(cls, chunks: list[Chunk]) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25(k1=1.2, b=0.5)  # b < 0.75: long reference tables are not over-penalised
        # bm25s needs at least one token per document; an empty chunk gets a placeholder
        corpus_tokens = [tokenize(lexical_text(c)) or ["_empty_"] for c in chunks]
        bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, chunks)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(directory), show_progress=False)  # type: ignore[attr-defined]
        tmp = directory / f"{CHUNKS_FILE}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            for chunk in self.chunks:
                fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        tmp.replace(directory / CHUNKS_FILE)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        with (directory / CHUNKS_FILE).open(encoding="utf-8") as fh:
            chunks = [Chunk(**json.loads(line)) for line in fh if line.strip()]
        return cls(bm25, chunks)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no query token is known)."""
        ids = self.bm25.get_tokens_ids(tokenize(query))  # type: ignore[attr-defined]
        if not ids:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)  # type: ignore[attr-defined]
