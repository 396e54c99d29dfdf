"""The linear model: features + multinomial logistic regression, calibrated by temperature scaling.

The temperature is fitted on decision scores of rows the scoring model did not see (grouped, stratified
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
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from agent.classifier.errors import CorpusError
from agent.classifier.features import build_features
from agent.classifier.metrics import CONFIDENCE_THRESHOLD

Variant = Literal["full", "lexical"]
VARIANTS: tuple[Variant, ...] = ("full", "lexical")
# Bump when the features or the model change in a way the config below does not show.
MODEL_FORMAT = 2


@dataclass(frozen=True)
class TrainConfig:
    """Everything besides the corpus that decides the trained model; its hash is part of the version."""

    variant: Variant = "full"
    embedder: str = "all-MiniLM-L6-v2"
    c: float = 30.0
    # newton-cg: the same optimum as lbfgs on these ~200k weights, measured ~5x faster on 2 cores.
    solver: str = "newton-cg"
    embedding_weight: float = 1.0
    calibration_folds: int = 4
    confidence_threshold: float = (
        CONFIDENCE_THRESHOLD  # the report measures at it, so it is part of the version
    )
    seed: int = 20261201
    model_format: int = MODEL_FORMAT

    def config_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def pipeline(self) -> Pipeline:
        return Pipeline(
            [
                ("features", build_features(self.variant == "full", self.embedding_weight)),
                (
                    "lr",
                    LogisticRegression(C=self.c, solver=self.solver, max_iter=500, random_state=self.seed),
                ),
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


def fit_pipeline(rows: list[tuple[str, Any]], y: list[str], config: TrainConfig) -> Pipeline:
    """The uncalibrated pipeline fitted on ``rows``; every case type of the corpus must be among ``y``."""
    return config.pipeline().fit(rows, y)


def temperature_for(scores: np.ndarray, y: list[str], labels: list[str]) -> float:
    index = {label: i for i, label in enumerate(labels)}
    return fit_temperature(scores, np.array([index[v] for v in y]))


def cross_validate(
    rows: list[tuple[str, Any]], y: list[str], groups: list[str], config: TrainConfig, k: int
) -> tuple[np.ndarray, list[Pipeline]]:
    """Out-of-fold decision scores of every row (columns: sorted labels) and the ``k`` fold pipelines."""
    labels = sorted(set(y))
    scores = np.zeros((len(y), len(labels)))
    pipelines = []
    for train, test in grouped_folds(y, groups, k, config.seed):
        pipeline = fit_pipeline([rows[i] for i in train], [y[i] for i in train], config)
        if list(pipeline.classes_) != labels:
            raise CorpusError(f"every case type needs examples from at least {k} templates or messages")
        scores[test] = pipeline.decision_function([rows[i] for i in test])
        pipelines.append(pipeline)
    return scores, pipelines


def validation_temperature(
    rows: list[tuple[str, Any]], y: list[str], groups: list[str], config: TrainConfig
) -> float:
    """Temperature from one grouped validation fold of ``rows`` (a model fitted on the other folds)."""
    train, val = grouped_folds(y, groups, config.calibration_folds, config.seed)[0]
    pipeline = fit_pipeline([rows[i] for i in train], [y[i] for i in train], config)
    scores = pipeline.decision_function([rows[i] for i in val])
    return temperature_for(np.asarray(scores), [y[i] for i in val], [str(c) for c in pipeline.classes_])
