"""Regression on a fixed 20-query subset with the real MiniLM embedder over the project corpus (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from retrieval.evaluation import evaluate, load_queries

pytestmark = pytest.mark.slow

# Every fifth query of evals/datasets/retrieval.jsonl: a fixed, mixed subset (codes, jargon, vague, filters).
SUBSET = [f"q{i:03d}" for i in range(5, 101, 5)]
# Measured 2026-11-22: hybrid hit@5 = 0.95 on this subset; the margin absorbs one borderline query.
HIT5_THRESHOLD = 0.90


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory):
    from retrieval.index import build_index
    from retrieval.search import open_retriever

    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("minilm")) / "data", embed_threads=2)
    build_index(settings)
    return open_retriever(settings)


def test_hybrid_hit_at_5_on_the_fixed_subset(retriever) -> None:
    queries = [q for q in load_queries() if q.id in SUBSET]
    assert len(queries) == len(SUBSET)
    hybrid = evaluate(retriever, queries, mode="hybrid")
    bm25 = evaluate(retriever, queries, mode="bm25")
    assert hybrid["hit@5"] >= HIT5_THRESHOLD, hybrid["missed_at_5"]
    assert hybrid["mrr"] >= bm25["mrr"] - 0.02


def test_superseded_versions_stay_out_and_are_flagged(retriever) -> None:
    hits = retriever.search("recall with an MT192 cancellation request", k=10)
    assert all(h.status == "effective" for h in hits)
    hits = retriever.search("recall with an MT192 cancellation request", k=20, include_superseded=True)
    old = [h for h in hits if h.status == "superseded"]
    assert old and all(h.note and "cite with care" in h.note for h in old)
    rank = {(h.sop_id, h.section, h.status): i for i, h in enumerate(hits)}
    for h in old:
        twin = rank.get((h.sop_id, h.section, "effective"))
        assert twin is None or twin < rank[(h.sop_id, h.section, "superseded")]
