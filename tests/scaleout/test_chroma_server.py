"""The project's SOP corpus indexed through Chroma's HTTP server answers the project's query set like the
embedded client, and a second worker needs only the BM25 files to search it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.settings import Settings
from retrieval.evaluation import load_queries
from retrieval.index import build_index
from retrieval.search import open_retriever
from tests.retrieval.conftest import FakeEmbedder

pytestmark = pytest.mark.chroma_server


def citations(retriever: object, queries: list, k: int = 5) -> list[list[str]]:
    """Top-k citations of every query of the set, with its case-type filter."""
    return [[h.citation for h in retriever.search(q.query, k=k, case_type=q.case_type)] for q in queries]


@pytest.mark.slow
def test_server_and_embedded_give_identical_top_citations(tmp_path: Path, chroma_url: str) -> None:
    queries = load_queries()
    embedder = FakeEmbedder()  # deterministic and instant; the vectors are computed in the app either way
    embedded = Settings(data_dir=tmp_path / "embedded")
    served = Settings(data_dir=tmp_path / "worker-a", chroma_url=chroma_url)
    build_index(embedded, embedder=embedder)
    report = build_index(served, embedder=embedder)
    assert report.chunks > 50 and report.added == report.chunks
    assert not served.chroma_path.exists()  # the dense vectors live in the server only

    expected = citations(open_retriever(embedded, embedder=embedder), queries)
    assert len(queries) >= 100 and all(expected)
    assert citations(open_retriever(served, embedder=embedder), queries) == expected

    # Worker B: another data directory holding only a copy of worker A's BM25 files, same Chroma server.
    other = Settings(data_dir=tmp_path / "worker-b", chroma_url=chroma_url)
    shutil.copytree(served.resolved_data_dir / "bm25", other.resolved_data_dir / "bm25")
    assert citations(open_retriever(other, embedder=embedder), queries) == expected
    assert build_index(other, embedder=embedder).embedded == 0  # a rebuild on B re-embeds nothing


def test_a_worker_without_the_bm25_files_gets_a_clear_error(tmp_path: Path, chroma_url: str) -> None:
    from retrieval.errors import IndexNotBuilt

    embedder = FakeEmbedder()
    build_index(Settings(data_dir=tmp_path / "worker-a", chroma_url=chroma_url), embedder=embedder)
    with pytest.raises(IndexNotBuilt, match="no SOP index"):
        open_retriever(Settings(data_dir=tmp_path / "worker-b", chroma_url=chroma_url), embedder=embedder)
