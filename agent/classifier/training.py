"""Training runs: corpus → features → held-out evaluation, 5-fold CV, the released model and its manifest.

The held-out 20 % (stratified, fixed seed) is used only to measure; the released model is then fitted on
the whole corpus with the same configuration.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from agent.classifier.corpus import Example, corpus_hash, load_corpus, text_key
from agent.classifier.features import EmbeddingCache, normalise_text
from agent.classifier.metrics import CONFIDENCE_THRESHOLD, evaluate
from agent.classifier.model import (
    FittedModel,
    TrainConfig,
    cross_validate,
    fit_pipeline,
    grouped_folds,
    temperature_for,
    validation_temperature,
)
from agent.classifier.store import embedding_cache_path, labels_path, read_labels, save_model
from core.settings import Settings

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

CV_FOLDS = 5  # the held-out part is the first of the five folds: ~20 %

Row = tuple[str, Any]


def training_examples(settings: Settings, include_labels: bool) -> list[Example]:
    """The committed corpus (plus analysts' labels, which win over a corpus text they repeat), deduplicated."""
    by_key: dict[str, Example] = {}
    examples = load_corpus() + (read_labels(settings) if include_labels else [])
    for example in examples:
        key = text_key(normalise_text(example.text))
        if example.source == "analyst" or key not in by_key:
            by_key[key] = example
    return list(by_key.values())


def data_hash(settings: Settings, include_labels: bool) -> str:
    return corpus_hash([labels_path(settings)] if include_labels else [])


def model_version(config: TrainConfig, corpus: str) -> str:
    return (
        f"clf-{config.variant}-" + hashlib.sha256((corpus + config.config_hash()).encode()).hexdigest()[:12]
    )


def make_rows(texts: list[str], embedder: Embedder | None, cache: EmbeddingCache | None = None) -> list[Row]:
    """``(normalised text, embedding or None)`` rows, the input of the feature pipeline."""
    normalised = [normalise_text(t) for t in texts]
    if embedder is None:
        return [(t, None) for t in normalised]
    cache = cache or EmbeddingCache(None)
    vectors = cache.embed(normalised, embedder)
    return list(zip(normalised, vectors, strict=True))


def holdout_split(y: list[str], groups: list[str], seed: int) -> tuple[list[int], list[int]]:
    """Stratified ~80/20 indices (the first of 5 grouped folds): no template is on both sides."""
    train, test = grouped_folds(y, groups, CV_FOLDS, seed)[0]
    return sorted(train.tolist()), sorted(test.tolist())


def heldout_metrics(
    model: FittedModel, rows: list[Row], y: list[str], sources: list[str], test_idx: list[int]
) -> dict[str, Any]:
    """The report's numbers for ``model`` on the held-out rows, overall and per corpus source."""
    probabilities = model.probabilities([rows[i] for i in test_idx])
    y_test = [y[i] for i in test_idx]
    metrics = evaluate(probabilities, model.labels, y_test, CONFIDENCE_THRESHOLD)
    predicted = [model.labels[i] for i in probabilities.argmax(axis=1)]
    by_source: dict[str, dict[str, float]] = {}
    for source in sorted({sources[i] for i in test_idx}):
        hits = [p == t for p, t, i in zip(predicted, y_test, test_idx, strict=True) if sources[i] == source]
        by_source[source] = {"n": len(hits), "accuracy": float(np.mean(hits))}
    metrics["accuracy_by_source"] = by_source
    metrics["temperature"] = model.temperature
    return metrics


def evaluate_and_fit(
    rows: list[Row], y: list[str], groups: list[str], sources: list[str], config: TrainConfig
) -> tuple[FittedModel, dict[str, Any], float]:
    """Held-out metrics, 5-fold CV accuracy and the released model, in 7 fits.

    The held-out part is the first of the 5 CV folds, so that fold's model is the held-out model; its
    temperature comes from a validation fold inside its own training part. The released model is fitted
    on everything and calibrated on the out-of-fold scores of all 5 folds.
    """
    labels = sorted(set(y))
    oof, pipelines = cross_validate(rows, y, groups, config, CV_FOLDS)
    cv_accuracy = float(np.mean(np.array(labels)[oof.argmax(axis=1)] == np.array(y)))
    train_idx, test_idx = holdout_split(y, groups, config.seed)
    temperature = validation_temperature(
        [rows[i] for i in train_idx], [y[i] for i in train_idx], [groups[i] for i in train_idx], config
    )
    heldout = heldout_metrics(FittedModel(pipelines[0], temperature, labels), rows, y, sources, test_idx)
    released = FittedModel(fit_pipeline(rows, y, config), temperature_for(oof, y, labels), labels)
    return released, heldout, cv_accuracy


def train_and_save(
    settings: Settings, config: TrainConfig, embedder: Embedder | None, include_labels: bool = False
) -> tuple[FittedModel, dict[str, Any]]:
    """Measure on the held-out split, fit the released model on everything, store both with the manifest."""
    started = time.perf_counter()
    examples = training_examples(settings, include_labels)
    cache = EmbeddingCache(embedding_cache_path(settings, config.embedder)) if embedder is not None else None
    rows = make_rows([e.text for e in examples], embedder if config.variant == "full" else None, cache)
    if cache is not None:
        cache.save()
    y = [e.case_type.value for e in examples]
    groups = [e.group for e in examples]
    sources = [e.source for e in examples]
    # One BLAS thread: on 2 shared cores more threads only contend (measured ~5x slower under load).
    with threadpool_limits(limits=1):
        model, heldout, cv_accuracy = evaluate_and_fit(rows, y, groups, sources, config)
    corpus = data_hash(settings, include_labels)
    manifest: dict[str, Any] = {
        "version": model_version(config, corpus),
        "variant": config.variant,
        "corpus_hash": corpus,
        "config": config.__dict__ | {"config_hash": config.config_hash()},
        "include_labels": include_labels,
        "labels": model.labels,
        "examples": {
            "total": len(examples),
            "by_source": dict(Counter(sources)),
            "by_label": dict(Counter(y)),
        },
        "temperature": model.temperature,
        "confidence_threshold": CONFIDENCE_THRESHOLD,
        "metrics": {"heldout": heldout, "cv_accuracy_5fold": cv_accuracy},
        "train_seconds": round(time.perf_counter() - started, 2),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    save_model(settings, config.variant, model, manifest)
    return model, manifest
