"""``classifier_report``: the held-out and cross-validation numbers of the current model, as a dict.

The eval report embeds this dict; ``payinvest classifier report --json`` prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.classifier.metrics import TARGET_ACCEPTED_ACCURACY
from agent.classifier.model import Variant
from core.settings import Settings

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

REPORT_KEYS = (
    "version",
    "variant",
    "corpus_hash",
    "labels",
    "examples",
    "heldout",
    "cv_accuracy_5fold",
    "confidence_threshold",
    "target_accepted_accuracy",
    "temperature",
    "train_seconds",
    "trained_at",
)


def classifier_report(
    settings: Settings,
    variant: Variant = "full",
    embedder: Embedder | None = None,
    include_labels: bool = False,
) -> dict[str, Any]:
    """The report of the stored model of ``variant`` (trained first when absent or stale)."""
    from agent.classifier.classifier import CaseClassifier

    manifest = CaseClassifier.load_or_train(
        settings, embedder=embedder, variant=variant, include_labels=include_labels
    ).manifest
    return {
        "version": manifest["version"],
        "variant": manifest["variant"],
        "corpus_hash": manifest["corpus_hash"],
        "labels": manifest["labels"],
        "examples": manifest["examples"],
        "heldout": manifest["metrics"]["heldout"],
        "cv_accuracy_5fold": manifest["metrics"]["cv_accuracy_5fold"],
        "confidence_threshold": manifest["confidence_threshold"],
        "target_accepted_accuracy": TARGET_ACCEPTED_ACCURACY,
        "temperature": manifest["temperature"],
        "train_seconds": manifest["train_seconds"],
        "trained_at": manifest["trained_at"],
    }
