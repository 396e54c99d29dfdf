"""Uncertainty: bootstrap intervals of aggregates, paired tests between two runs on the same scenarios."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

SEED = 20261201  # fixed: the same run always gets the same intervals
RESAMPLES = 2000
ALPHA = 0.05


def bootstrap_ci(
    values: Sequence[float],
    *,
    statistic: Callable[[np.ndarray], np.ndarray] | None = None,
    seed: int = SEED,
    resamples: int = RESAMPLES,
) -> tuple[float, float] | None:
    """Percentile 95% interval of the mean (or ``statistic``) over scenarios; None with no values."""
    data = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if data.size == 0:
        return None
    if data.size == 1 or np.all(data == data[0]):
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    samples = data[rng.integers(0, data.size, size=(resamples, data.size))]
    stats = statistic(samples) if statistic is not None else samples.mean(axis=1)
    low, high = np.quantile(stats, [ALPHA / 2, 1 - ALPHA / 2])
    return round(float(low), 4), round(float(high), 4)


def median_ci(values: Sequence[float], seed: int = SEED) -> tuple[float, float] | None:
    """Bootstrap 95% interval of the median."""
    return bootstrap_ci(values, statistic=lambda s: np.median(s, axis=1), seed=seed)


def paired_difference(
    champion: Sequence[float], challenger: Sequence[float], seed: int = SEED
) -> tuple[float, tuple[float, float]] | None:
    """Mean of (challenger - champion) over paired scenarios and its bootstrap 95% interval."""
    diffs = [b - a for a, b in zip(champion, challenger, strict=True)]
    if not diffs:
        return None
    interval = bootstrap_ci(diffs, seed=seed)
    assert interval is not None
    return round(sum(diffs) / len(diffs), 4), interval


def mcnemar_exact(champion_only: int, challenger_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs (passed by one run only)."""
    n = champion_only + challenger_only
    if n == 0:
        return 1.0
    k = min(champion_only, challenger_only)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return float(f"{min(1.0, 2 * tail):.6g}")  # significant digits: a tiny p is not rounded to 0


def verdict(
    difference: tuple[float, tuple[float, float]] | None,
    p_value: float | None,
    discordant: tuple[int, int],
) -> str:
    """'better', 'worse' or 'not distinguishable' for the challenger (values oriented: higher is better).

    Significant when the paired bootstrap interval excludes 0, or McNemar's test on pass/fail is below 0.05;
    the direction of the evidence decides, and contradicting signals count as not distinguishable.
    """
    signs: set[int] = set()
    if difference is not None:
        low, high = difference[1]
        if low > 0 or high < 0:
            signs.add(1 if low > 0 else -1)
    if p_value is not None and p_value < ALPHA:
        champion_only, challenger_only = discordant
        signs.add(1 if challenger_only > champion_only else -1)
    if len(signs) != 1:
        return "not distinguishable"
    return "better" if signs.pop() > 0 else "worse"
