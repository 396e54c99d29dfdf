"""Risk signals: an IsolationForest over features of each payment against its debtor's history.

The model is fitted at seed time on a sample and scores every payment in batches; ``risk_scores`` keeps the
score (0 normal .. 1 most anomalous) and plain-language red flags a person can check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

MODEL_VERSION = "iforest-v1"
FEATURES = ("amount_z", "new_creditor", "new_country", "hour_utc", "round_amount", "cross_currency")


@dataclass
class RiskResult:
    """Scores and JSON flag lists, aligned with the input rows."""

    score: np.ndarray
    flags: list[str]
    features: np.ndarray


def _first_of_group(keys: tuple[np.ndarray, ...], created: np.ndarray) -> np.ndarray:
    """True where a row is the earliest of its key group."""
    order = np.lexsort((created, *reversed(keys)))
    same = np.ones(max(len(created) - 1, 0), dtype=bool)
    for key in keys:
        k = key[order]
        same &= k[1:] == k[:-1]
    first_sorted = np.ones(len(created), dtype=bool)
    first_sorted[1:] = ~same
    first = np.empty(len(created), dtype=bool)
    first[order] = first_sorted
    return first


def features(
    debtor: np.ndarray,
    creditor: np.ndarray,
    creditor_country: np.ndarray,
    eur_amount: np.ndarray,
    created: np.ndarray,
    cross_currency: np.ndarray,
) -> np.ndarray:
    """Feature matrix (rows x FEATURES) from per-payment arrays (created in seconds, UTC)."""
    x = np.log1p(eur_amount)
    n_debtors = int(debtor.max()) + 1 if len(debtor) else 0
    count = np.bincount(debtor, minlength=n_debtors)
    mean = np.bincount(debtor, weights=x, minlength=n_debtors) / np.maximum(count, 1)
    var = np.bincount(debtor, weights=x * x, minlength=n_debtors) / np.maximum(count, 1) - mean**2
    std = np.sqrt(np.maximum(var, 0.25))
    z = (x - mean[debtor]) / std[debtor]
    new_creditor = _first_of_group((debtor, creditor), created)
    new_country = _first_of_group((debtor, creditor_country), created)
    hour = (created // 3600) % 24
    round_amount = (eur_amount >= 1000) & (np.mod(np.round(eur_amount, 2), 1000) == 0)
    return np.column_stack([z, new_creditor, new_country, hour, round_amount, cross_currency]).astype(
        np.float32
    )


def score(feats: np.ndarray, *, seed: int, sample: int = 20_000, batch: int = 100_000) -> np.ndarray:
    """Fit an IsolationForest on a sample and return anomaly scores in (0, 1] for every row."""
    from sklearn.ensemble import IsolationForest

    rng = np.random.default_rng(seed)
    n = len(feats)
    fit_rows = feats if n <= sample else feats[rng.choice(n, sample, replace=False)]
    model = IsolationForest(
        n_estimators=60, max_samples=min(256, len(fit_rows)), random_state=seed, n_jobs=1
    ).fit(fit_rows)
    out = np.empty(n, dtype=np.float64)
    for lo in range(0, n, batch):
        out[lo : lo + batch] = -model.score_samples(feats[lo : lo + batch])
    return np.round(out, 4)


def red_flags(feats: np.ndarray, countries: np.ndarray) -> list[str]:
    """Plain-language red flags per row, as JSON lists (built column-wise: most rows have none)."""
    z, new_cred, new_ctry, hour, rnd = (feats[:, i] for i in range(5))
    n = len(feats)
    out = np.full(n, "", dtype=object)

    def add(mask: np.ndarray, texts: np.ndarray | str) -> None:
        quoted = texts[mask] if isinstance(texts, np.ndarray) else json.dumps(texts)
        out[mask] = out[mask] + np.where(out[mask] == "", "", ", ").astype(object) + quoted

    high = z >= 3
    z_text = np.full(n, "", dtype=object)
    z_text[high] = [
        json.dumps(f"Amount is {v:.1f} standard deviations above this debtor's usual amount")
        for v in z[high].tolist()
    ]
    add(high, z_text)
    add(new_cred > 0, "First payment from this debtor to this creditor account")
    country_text = {
        c: json.dumps(f"First payment from this debtor to a beneficiary in {c}") for c in set(countries)
    }
    add(new_ctry > 0, np.array([country_text[c] for c in countries], dtype=object))
    hour_text = np.array(
        [json.dumps(f"Initiated at {h:02d}:xx UTC, outside usual business hours") for h in range(24)],
        dtype=object,
    )
    add((hour < 5) | (hour >= 22), hour_text[hour.astype(np.int64)])
    add(rnd > 0, "Round amount")
    return ("[" + out + "]").tolist()


def assess(
    debtor: np.ndarray,
    creditor: np.ndarray,
    creditor_country: np.ndarray,
    eur_amount: np.ndarray,
    created: np.ndarray,
    cross_currency: np.ndarray,
    *,
    seed: int,
) -> RiskResult:
    """Features, scores and red flags for a set of payments."""
    feats = features(debtor, creditor, creditor_country, eur_amount, created, cross_currency)
    return RiskResult(score(feats, seed=seed), red_flags(feats, creditor_country), feats)
