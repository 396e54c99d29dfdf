"""The retrieval query set and its metrics (hit@k, MRR, nDCG@5), shared by tuning, tests and the benchmark."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from retrieval.errors import RetrievalError

DEFAULT_DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "retrieval.jsonl"


@dataclass(frozen=True)
class LabelledQuery:
    """One line of the query set: the question, the sections that answer it, an optional case type."""

    id: str
    query: str
    expected: tuple[str, ...]
    case_type: str | None
    tags: tuple[str, ...]


def load_queries(path: Path | None = None) -> list[LabelledQuery]:
    """Read the JSONL query set; a malformed line raises ``RetrievalError`` naming the line."""
    source = path or DEFAULT_DATASET
    if not source.exists():
        raise RetrievalError(f"query set {source} does not exist")
    queries: list[LabelledQuery] = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            queries.append(
                LabelledQuery(
                    id=str(row["id"]),
                    query=str(row["query"]),
                    expected=tuple(row["expected"]),
                    case_type=row.get("case_type"),
                    tags=tuple(row.get("tags", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RetrievalError(f"{source.name} line {number}: {type(exc).__name__}: {exc}") from exc
    return queries


def is_relevant(citation: str, expected: tuple[str, ...]) -> bool:
    """A hit counts when it is an expected section or a subsection of one ('SOP-002 §4' covers §4.2)."""
    return any(citation == exp or citation.startswith(f"{exp}.") for exp in expected)


def score_ranking(citations: list[str], expected: tuple[str, ...]) -> dict[str, float]:
    """hit@1, hit@5, reciprocal rank and binary nDCG@5 of one ranked list of citations."""
    relevant = [is_relevant(c, expected) for c in citations]
    first = next((i for i, rel in enumerate(relevant) if rel), None)
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(relevant[:5]) if rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(expected), 5)))
    return {
        "hit@1": float(first == 0),
        "hit@5": float(first is not None and first < 5),
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "ndcg@5": dcg / ideal if ideal else 0.0,
    }


def aggregate(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean of each metric over queries."""
    if not rows:
        return {"hit@1": 0.0, "hit@5": 0.0, "mrr": 0.0, "ndcg@5": 0.0}
    return {key: round(mean(r[key] for r in rows), 4) for key in rows[0]}


def evaluate(retriever: object, queries: list[LabelledQuery], mode: str = "hybrid", k: int = 10) -> dict:
    """Metrics of one retrieval mode over the query set, plus the ids of the queries missed at 5."""
    rows: list[dict[str, float]] = []
    missed: list[str] = []
    for q in queries:
        hits = retriever.search(q.query, k=k, case_type=q.case_type, mode=mode)  # type: ignore[attr-defined]
        row = score_ranking([h.citation for h in hits], q.expected)
        rows.append(row)
        if not row["hit@5"]:
            missed.append(q.id)
    return {**aggregate(rows), "queries": len(queries), "missed_at_5": missed}
