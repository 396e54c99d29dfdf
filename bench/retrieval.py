"""``payinvest bench retrieval``: hybrid vs BM25-only vs dense-only quality, latency and build throughput."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from core.settings import Settings

MODES = ("hybrid", "bm25", "dense")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _clear_query_cache(retriever: Any) -> None:
    cache = getattr(retriever.embedder, "_cache", None)
    if cache is not None:
        cache.clear()


def _latency(retriever: Any, queries: list[Any], mode: str, repeats: int, cached: bool) -> dict[str, float]:
    """Per-query latency in ms (median over repeats), then p50/p95 over the queries."""
    per_query: list[list[float]] = [[] for _ in queries]
    for _ in range(repeats):
        for i, q in enumerate(queries):
            if not cached:
                _clear_query_cache(retriever)
            started = time.perf_counter()
            retriever.search(q.query, k=5, case_type=q.case_type, mode=mode)
            per_query[i].append((time.perf_counter() - started) * 1000)
    medians = [statistics.median(times) for times in per_query]
    return {"p50_ms": round(_percentile(medians, 50), 2), "p95_ms": round(_percentile(medians, 95), 2)}


def _throughput(settings: Settings, embedder: Any) -> dict[str, float]:
    """Full index build into a scratch data dir vs raw embedding of the same chunk texts."""
    from retrieval.chunking import chunk_corpus
    from retrieval.corpus import load_corpus
    from retrieval.index import build_index

    texts = [c.embed_text for c in chunk_corpus(load_corpus())]
    started = time.perf_counter()
    embedder.embed_documents(texts)
    raw = len(texts) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory(prefix="payinvest-bench-") as scratch:
        scratch_settings = settings.model_copy(update={"data_dir": Path(scratch), "chroma_url": None})
        started = time.perf_counter()
        report = build_index(scratch_settings, embedder=embedder)
        build = report.chunks / (time.perf_counter() - started)
    return {
        "chunks": len(texts),
        "build_chunks_per_s": round(build, 2),
        "raw_embed_chunks_per_s": round(raw, 2),
        "ratio": round(build / raw, 3),
    }


def run(settings: Settings, *, repeats: int, dataset: Path | None = None, throughput: bool = True) -> dict:
    """Quality per mode (hit@1, hit@5, MRR, nDCG@5), latency p50/p95 and build throughput."""
    from retrieval.errors import IndexNotBuilt
    from retrieval.evaluation import evaluate, load_queries
    from retrieval.index import build_index
    from retrieval.search import open_retriever

    try:
        retriever = open_retriever(settings)
    except IndexNotBuilt:
        build_index(settings)
        retriever = open_retriever(settings)
    queries = load_queries(dataset)
    retriever.search(queries[0].query)  # load the model before timing
    result: dict[str, Any] = {
        "benchmark": "retrieval",
        "queries": len(queries),
        "repeats": repeats,
        "weights": {"dense": retriever.weights.dense, "bm25": retriever.weights.bm25},
        "embed_threads": settings.embed_threads,
    }
    for mode in MODES:
        quality = evaluate(retriever, queries, mode=mode)
        result[mode] = {
            **{key: quality[key] for key in ("hit@1", "hit@5", "mrr", "ndcg@5")},
            "missed_at_5": ",".join(quality["missed_at_5"]),
            "latency": _latency(retriever, queries, mode, repeats, cached=False),
            "latency_cached_embedding": _latency(retriever, queries, mode, repeats, cached=True),
        }
    hybrid = result["hybrid"]
    result["budget"] = {
        "hit@5>=0.9": hybrid["hit@5"] >= 0.9,
        "hybrid>=baselines": hybrid["hit@5"] >= max(result["bm25"]["hit@5"], result["dense"]["hit@5"]),
        "p50<=20ms": hybrid["latency"]["p50_ms"] <= 20,
    }
    if throughput:
        result["build"] = _throughput(settings, retriever.embedder)
    return result
