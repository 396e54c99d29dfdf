"""The linear model: features + multinomial logistic regression, calibrated by temperature scaling.

The temperature is fitted on out-of-fold decision scores of the training rows only (grouped, stratified
folds with a fixed seed), so calibration never sees the rows, nor the templates, it is judged on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from agent.classifier.features import build_features

Variant = Literal["full", "lexical"]
VARIANTS: tuple[Variant, ...] = ("full", "lexical")
# Bump when the features or the model change in a way the config below does not show.
MODEL_FORMAT = 1


@dataclass(frozen=True)
class TrainConfig:
    """Everything besides the corpus that decides the trained model; its hash is part of the version."""

    variant: Variant = "full"
    embedder: str = "all-MiniLM-L6-v2"
    c: float = 10.0
    embedding_weight: float = 1.5
    calibration_folds: int = 4
    seed: int = 20261201
    model_format: int = MODEL_FORMAT

    def config_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def pipeline(self) -> Pipeline:
        return Pipeline(
            [
                ("features", build_features(self.variant == "full", self.embedding_weight)),
                ("lr", LogisticRegression(C=self.c, max_iter=5000, random_state=self.seed)),
            ]
        )


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the true labels."""

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[np.arange(len(y_index)), y_index], 1e-12, None)).mean())

    result = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


@dataclass
class FittedModel:
    """A fitted pipeline, its temperature and its label order (the pipeline's classes)."""

    pipeline: Pipeline
    temperature: float
    labels: list[str]

    def probabilities(self, rows: list[tuple[str, Any]]) -> np.ndarray:
        """Calibrated probabilities, one row per input, columns in ``labels`` order."""
        scores = self.pipeline.decision_function(rows)
        return softmax(np.atleast_2d(scores), self.temperature)


def grouped_folds(y: list[str], groups: list[str], k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds that keep each group (a template, a hand-written message) on one side."""
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


def out_of_fold_scores(
    rows: list[tuple[str, Any]], y: list[str], groups: list[str], config: TrainConfig, k: int
) -> np.ndarray:
    """Decision scores of every row from a model that did not see its group (columns: sorted labels)."""
    folds = grouped_folds(y, groups, k, config.seed)
    return np.asarray(cross_val_predict(config.pipeline(), rows, y, cv=folds, method="decision_function"))


def fit_model(
    rows: list[tuple[str, Any]],
    y: list[str],
    groups: list[str],
    config: TrainConfig,
    oof_scores: np.ndarray | None = None,
) -> FittedModel:
    """Fit the pipeline on all ``rows``; its temperature comes from out-of-fold scores of the same rows."""
    if oof_scores is None:
        oof_scores = out_of_fold_scores(rows, y, groups, config, config.calibration_folds)
    labels = sorted(set(y))
    index = {label: i for i, label in enumerate(labels)}
    temperature = fit_temperature(oof_scores, np.array([index[v] for v in y]))
    pipeline = config.pipeline().fit(rows, y)
    return FittedModel(pipeline, temperature, [str(c) for c in pipeline.classes_])
