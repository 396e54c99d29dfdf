"""The same index served by Chroma's HTTP server gives the same results as the embedded client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from retrieval.index import build_index
from retrieval.search import open_retriever
from tests.retrieval.conftest import FIXTURE_CORPUS, FakeEmbedder
from tests.servers import chroma_server

pytestmark = pytest.mark.chroma_server

QUERIES = ["what does G004 mean", "recall reason for a duplicate", "who approves above the limit"]


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """Start ``chroma run`` on a free loopback port; stop it after the test."""
    with chroma_server(tmp_path / "server", tmp_path / "chroma.log") as url:
        yield url


def test_http_server_matches_embedded_client(tmp_path: Path, chroma_url: str) -> None:
    embedded = Settings(data_dir=tmp_path / "embedded")
    served = Settings(data_dir=tmp_path / "served", chroma_url=chroma_url)
    embedder = FakeEmbedder()
    build_index(embedded, embedder=embedder, corpus_dir=FIXTURE_CORPUS)
    report = build_index(served, embedder=embedder, corpus_dir=FIXTURE_CORPUS)
    assert report.added == report.chunks
    assert build_index(served, embedder=embedder, corpus_dir=FIXTURE_CORPUS).embedded == 0
    local = open_retriever(embedded, embedder=embedder)
    remote = open_retriever(served, embedder=embedder)
    assert not (served.resolved_data_dir / "chroma").exists()
    for query in QUERIES:
        for case_type in (None, "duplicate"):
            a = [(h.chunk_id, round(h.score, 4)) for h in local.search(query, k=5, case_type=case_type)]
            b = [(h.chunk_id, round(h.score, 4)) for h in remote.search(query, k=5, case_type=case_type)]
            assert a == b and a
