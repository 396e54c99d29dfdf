"""Held-out metrics of the classifier: accuracy, macro-F1, per-class F1, confusion matrix, ECE."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

# The agent asks the analyst to pick when the top probability is below the threshold; the threshold is the
# lowest one at which the held-out predictions it accepts are at least this accurate.
TARGET_ACCEPTED_ACCURACY = 0.94
THRESHOLD_GRID = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 … 0.95
# Below this calibrated top probability the agent asks the analyst to pick the case type. Chosen with
# ``recommend_threshold`` on the held-out split of the committed corpus (docs/classifier.md has the numbers).
CONFIDENCE_THRESHOLD = 0.6


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width confidence bins: the weighted gap between confidence and accuracy."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = len(confidence)
    ece = 0.0
    for lo, hi in pairwise(edges):
        in_bin = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence >= lo) & (confidence <= hi)
        if in_bin.any():
            ece += in_bin.sum() / total * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


def selective(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> dict[str, float]:
    """Coverage and accuracy of the predictions at or above ``threshold``."""
    accepted = confidence >= threshold
    return {
        "threshold": threshold,
        "coverage": float(accepted.mean()) if len(accepted) else 0.0,
        "accuracy": float(correct[accepted].mean()) if accepted.any() else 1.0,
    }


def recommend_threshold(confidence: np.ndarray, correct: np.ndarray) -> float:
    """The lowest grid threshold whose accepted predictions reach ``TARGET_ACCEPTED_ACCURACY``."""
    for threshold in THRESHOLD_GRID:
        if selective(confidence, correct, threshold)["accuracy"] >= TARGET_ACCEPTED_ACCURACY:
            return threshold
    return THRESHOLD_GRID[-1]


def evaluate(
    probabilities: np.ndarray, labels: list[str], y_true: list[str], threshold: float
) -> dict[str, Any]:
    """Every held-out number of the report for predictions ``probabilities`` (columns in ``labels`` order)."""
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    correct = np.array([p == t for p, t in zip(predicted, y_true, strict=True)])
    per_class = f1_score(y_true, predicted, labels=labels, average=None, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(correct.mean()),
        "macro_f1": float(f1_score(y_true, predicted, labels=labels, average="macro", zero_division=0)),
        "per_class_f1": {label: float(f) for label, f in zip(labels, per_class, strict=True)},
        "confusion_matrix": {
            "labels": labels,
            "rows_true_columns_predicted": confusion_matrix(y_true, predicted, labels=labels).tolist(),
        },
        "ece_10_bins": expected_calibration_error(confidence, correct),
        "mean_confidence": float(confidence.mean()),
        "at_threshold": selective(confidence, correct, threshold),
        "recommended_threshold": recommend_threshold(confidence, correct),
        "selective_curve": [selective(confidence, correct, t) for t in THRESHOLD_GRID],
    }
