"""The same index served by Chroma's HTTP server gives the same results as the embedded client."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from retrieval.index import build_index
from retrieval.search import open_retriever
from tests.retrieval.conftest import FIXTURE_CORPUS, FakeEmbedder

pytestmark = pytest.mark.chroma_server

QUERIES = ["what does G004 mean", "recall reason for a duplicate", "who approves above the limit"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path: Path):
    """Start ``chroma run`` on a free loopback port; stop it after the test."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "server")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma server did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
