"""Grid search of the dense/BM25 fusion weight on the query set; writes ``retrieval/weights.json``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.settings import Settings
from retrieval.embedder import Embedder
from retrieval.evaluation import aggregate, load_queries, score_ranking
from retrieval.fusion import WEIGHTS_FILE, FusionWeights, fuse
from retrieval.search import Retriever, open_retriever, validate_query

GRID = [round(i * 0.05, 2) for i in range(21)]  # dense weight; bm25 weight = 1 - dense


def grid_search(retriever: Retriever, dataset: Path | None = None) -> dict[str, Any]:
    """Score every grid point on the query set; candidates are computed once per query."""
    queries = load_queries(dataset)
    prepared = []
    for q in queries:
        text, _, ct = validate_query(q.query, 10, q.case_type)
        dense = retriever._dense(text, ct, False)
        lexical = retriever._bm25(text, retriever._mask(ct, False))
        prepared.append((q, ct, dense, lexical))
    grid: list[dict[str, Any]] = []
    for dense_w in GRID:
        weights = FusionWeights(
            dense=dense_w, bm25=round(1 - dense_w, 2), candidates=retriever.weights.candidates
        )
        rows = []
        for q, ct, dense, lexical in prepared:
            hits = retriever._select(retriever._boost(fuse(dense, lexical, weights), ct), 10)
            rows.append(score_ranking([h.citation for h in hits], q.expected))
        grid.append({"dense": weights.dense, "bm25": weights.bm25, **aggregate(rows)})
    # Objective: hit@5 (the gated metric), ties broken by MRR, then by the more balanced weight.
    best = max(grid, key=lambda g: (g["hit@5"], g["mrr"], -abs(g["dense"] - 0.5)))
    return {"best": best, "grid": grid, "queries": len(queries)}


def tune_weights(
    settings: Settings,
    *,
    dataset: Path | None = None,
    write: bool = True,
    embedder: Embedder | None = None,
    weights_path: Path | None = None,
) -> dict[str, Any]:
    """Run the grid search and (by default) store the best weights with how they were found."""
    retriever = open_retriever(settings, embedder=embedder)
    result = grid_search(retriever, dataset)
    best = result["best"]
    if write:
        record = {
            "method": "minmax_weighted_sum",
            "dense": best["dense"],
            "bm25": best["bm25"],
            "candidates": retriever.weights.candidates,
            "case_type_bonus": retriever.weights.case_type_bonus,
            "found_by": {
                "grid": "dense weight 0.00..1.00 step 0.05, bm25 = 1 - dense (case_type_bonus fixed)",
                "objective": "max hit@5, then MRR, then closest to 0.5",
                "dataset": str((dataset or Path("evals/datasets/retrieval.jsonl")).as_posix()),
                "queries": result["queries"],
                "embedder": retriever.embedder.name,
                "date": datetime.now(UTC).date().isoformat(),
                "scores": {k: best[k] for k in ("hit@1", "hit@5", "mrr", "ndcg@5")},
            },
        }
        (weights_path or WEIGHTS_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return result
