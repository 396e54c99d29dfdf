"""Daily FX mid rates as a seeded random walk around fixed anchors (units of currency per 1 USD)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "SGD", "AUD")
PER_USD = np.array([0.92, 1.0, 0.79, 0.88, 150.0, 1.34, 1.52])
DECIMALS = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "JPY": 0, "SGD": 2, "AUD": 2}
# The bank's FX margin on customer conversions (the tracker shows the rate actually applied).
CUSTOMER_MARGIN = 0.004


def currency_index(code: str) -> int:
    """Position of a currency in ``CURRENCIES``."""
    return CURRENCIES.index(code)


# FX history is market data: the same for every seed, so scenario amounts never move.
FX_SEED = 20261122


def rate_matrix(days: int) -> np.ndarray:
    """Per-USD rates, shape (days, currencies): a random walk with 0.5% daily volatility, USD fixed at 1."""
    rng = np.random.default_rng(FX_SEED)
    steps = rng.normal(0.0, 0.005, size=(days, len(CURRENCIES)))
    steps[:, CURRENCIES.index("USD")] = 0.0
    return PER_USD * np.exp(np.cumsum(steps, axis=0))


def cross_rate(per_usd: np.ndarray, day: np.ndarray, base: np.ndarray, quote: np.ndarray) -> np.ndarray:
    """Mid rate quote-per-base for vectors of day indexes and currency indexes."""
    return per_usd[day, quote] / per_usd[day, base]


def fx_rows(per_usd: np.ndarray, start: date) -> list[tuple[str, str, str, float]]:
    """Rows of ``fx_rates`` (date, base, quote, rate) for every ordered pair and day."""
    rows = []
    for d in range(per_usd.shape[0]):
        day = (start + timedelta(days=d)).isoformat()
        for b, base in enumerate(CURRENCIES):
            for q, quote in enumerate(CURRENCIES):
                if b != q:
                    rows.append((day, base, quote, round(float(per_usd[d, q] / per_usd[d, b]), 6)))
    return rows
