"""The project's SOP corpus indexed through Chroma's HTTP server answers the project's query set like the
embedded client, and a second worker needs only the BM25 files to search it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from retrieval.evaluation import load_queries
from retrieval.index import build_index
from retrieval.search import open_retriever
from tests.scaleout.embedder import ProjectionEmbedder

pytestmark = pytest.mark.chroma_server


def citations(retriever: object, queries: list, k: int = 5) -> list[list[str]]:
    """Top-k citations of every query of the set, with its case-type filter."""
    return [[h.citation for h in retriever.search(q.query, k=k, case_type=q.case_type)] for q in queries]


@pytest.mark.slow
def test_server_and_embedded_give_identical_top_citations(tmp_path: Path, chroma_url: str) -> None:
    queries = load_queries()
    embedder = (
        ProjectionEmbedder()
    )  # deterministic, fast, tie-free; the vectors are computed in the app either way
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


def test_a_worker_without_the_bm25_files_gets_a_clear_error_then_builds_them(
    tmp_path: Path, chroma_url: str
) -> None:
    """A new worker cannot search before it has the BM25 files; its own build embeds nothing new."""
    from retrieval.errors import IndexNotBuilt

    embedder = ProjectionEmbedder()
    first = build_index(Settings(data_dir=tmp_path / "worker-a", chroma_url=chroma_url), embedder=embedder)
    assert first.embedded == first.chunks > 0
    fresh = Settings(data_dir=tmp_path / "worker-b", chroma_url=chroma_url)
    with pytest.raises(IndexNotBuilt, match="no SOP index"):
        open_retriever(fresh, embedder=embedder)
    assert build_index(fresh, embedder=embedder).embedded == 0  # the vectors are already on the server
    assert open_retriever(fresh, embedder=embedder).search("recall a duplicate payment", k=3)


@pytest.mark.slow
def test_dense_candidates_are_the_exact_nearest_neighbours(tmp_path: Path, chroma_url: str) -> None:
    """The dense candidate pool (with the case-type filters) is the exact top-n by cosine, so embedded and
    server indexes, and every rebuild, return the same candidates; near-ties at the pool's edge are ignored."""
    import numpy as np

    from core.domain import CaseType

    embedder = ProjectionEmbedder()
    served = Settings(data_dir=tmp_path / "worker-a", chroma_url=chroma_url)
    build_index(served, embedder=embedder)
    retriever = open_retriever(served, embedder=embedder)
    stored = retriever.collection.get(include=["embeddings"])
    matrix = np.zeros((len(retriever.lexical.chunks), embedder.dim))
    for chunk_id, vector in zip(stored["ids"], stored["embeddings"], strict=True):
        matrix[retriever._row[chunk_id]] = vector
    missed: dict[str, list[str]] = {}
    for q in load_queries():
        case_type = CaseType(q.case_type) if q.case_type else None
        got = retriever._dense(q.query, case_type, False)
        sims = matrix @ np.asarray(embedder.embed_query(q.query))
        sims[~retriever._mask(case_type, False)] = -np.inf
        order = np.argsort(-sims, kind="stable")[: len(got)]
        edge = sims[order[-1]]
        lost = [retriever.lexical.chunks[i].chunk_id for i in order if i not in got and sims[i] - edge > 1e-6]
        if lost:
            missed[q.id] = lost
    assert missed == {}, f"HNSW dropped true neighbours in {len(missed)} queries: {missed}"
