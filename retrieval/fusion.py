"""Hybrid score fusion: per-query min-max normalisation of each list, then a weighted sum."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS_FILE = Path(__file__).resolve().parent / "weights.json"


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the dense and BM25 lists and how many candidates each list contributes."""

    dense: float = 0.5
    bm25: float = 0.5
    candidates: int = 50
    case_type_bonus: float = 0.1  # with a case-type filter, SOPs written for that case type beat general ones

    @classmethod
    def load(cls, path: Path | None = None) -> FusionWeights:
        """Read the tuned weights (``retrieval/weights.json`` by default)."""
        data = json.loads((path or WEIGHTS_FILE).read_text(encoding="utf-8"))
        return cls(
            dense=float(data["dense"]), bm25=float(data["bm25"]), candidates=int(data.get("candidates", 50))
        )


def minmax(values: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant list maps to 1 where positive, else 0."""
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.where(values > 0, 1.0, 0.0).astype(np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


def fuse(
    dense: dict[int, float], lexical: dict[int, float], weights: FusionWeights
) -> list[tuple[int, float]]:
    """Fused (row, score) pairs, best first; a row missing from one list scores 0 in that list."""
    rows = sorted(set(dense) | set(lexical))
    if not rows:
        return []
    d = minmax(np.array([dense.get(r, np.nan) for r in rows], dtype=np.float32)[[r in dense for r in rows]])
    b = minmax(
        np.array([lexical.get(r, np.nan) for r in rows], dtype=np.float32)[[r in lexical for r in rows]]
    )
    d_map = dict(zip([r for r in rows if r in dense], d.tolist(), strict=True))
    b_map = dict(zip([r for r in rows if r in lexical], b.tolist(), strict=True))
    scored = [(r, weights.dense * d_map.get(r, 0.0) + weights.bm25 * b_map.get(r, 0.0)) for r in rows]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored
