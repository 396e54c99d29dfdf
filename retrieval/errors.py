"""Typed errors of the retrieval area; each carries a one-line message meant for the user."""

from __future__ import annotations

from core.errors import PayinvestError


class RetrievalError(PayinvestError):
    """Base class of every retrieval error; ``code`` is a stable machine-readable name."""

    code = "retrieval_error"


class CorpusError(RetrievalError):
    """An SOP file is malformed: names the file and, when known, the front-matter field."""

    code = "corpus_error"

    def __init__(self, path: str, message: str, field: str | None = None) -> None:
        where = f"{path}: field '{field}'" if field else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.field = field


class IndexNotBuilt(RetrievalError):
    """The Chroma/BM25 index is missing or incomplete."""

    code = "index_not_built"

    def __init__(self, detail: str = "the SOP index is missing") -> None:
        super().__init__(f"{detail}; run `payinvest index build` first")


class InvalidQuery(RetrievalError):
    """A search request is unusable (empty, oversized, binary, bad k or unknown case type)."""

    code = "invalid_query"


class ChromaUnavailable(RetrievalError):
    """The Chroma server (``PAYINVEST_CHROMA_URL``) or the local Chroma store cannot be opened."""

    code = "chroma_unavailable"
