"""``CaseClassifier``: the case type of an analyst's message, with a calibrated confidence.

A fresh clone needs no setup step: ``load_or_train`` trains (seconds) when the stored model is missing, was
made from another corpus or configuration, or cannot be read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from agent.classifier.errors import EmptyText, ModelError, TextTooLong
from agent.classifier.metrics import CONFIDENCE_THRESHOLD
from agent.classifier.model import VARIANTS, FittedModel, TrainConfig, Variant
from agent.classifier.store import load_model, read_manifest
from agent.classifier.training import data_hash, make_rows, train_and_save
from core.domain import CaseType
from core.settings import Settings

if TYPE_CHECKING:
    from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20_000


class TextPrediction(BaseModel):
    """The classifier's answer for one message."""

    model_config = ConfigDict(frozen=True)

    case_type: CaseType = Field(description="The most probable case type.")
    confidence: float = Field(description="Calibrated probability of case_type.")
    probabilities: dict[str, float] = Field(description="Every case type's probability; they sum to 1.")
    margin: float = Field(description="Top probability minus the second one.")
    version: str = Field(description="Version of the model that answered (corpus + configuration hash).")

    @property
    def confident(self) -> bool:
        """Whether the agent may use the prediction without asking the analyst."""
        return self.confidence >= CONFIDENCE_THRESHOLD


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise EmptyText("the message to classify is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLong(f"the message has {len(text)} characters; the classifier accepts {MAX_TEXT_CHARS}")


class CaseClassifier:
    """A trained model plus the embedder it needs at prediction time."""

    def __init__(self, model: FittedModel, manifest: dict[str, Any], embedder: Embedder | None) -> None:
        self._model = model
        self.manifest = manifest
        self._embedder = embedder

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def variant(self) -> str:
        return str(self.manifest["variant"])

    @staticmethod
    def _setup(
        settings: Settings, embedder: Embedder | None, variant: Variant
    ) -> tuple[TrainConfig, Embedder | None]:
        if variant not in VARIANTS:
            raise ValueError(f"unknown classifier variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        if variant == "lexical":
            return TrainConfig(variant="lexical", embedder="none"), None
        if embedder is None:
            from retrieval.embedder import MiniLMEmbedder

            embedder = MiniLMEmbedder(threads=settings.embed_threads)
        return TrainConfig(variant="full", embedder=embedder.name), embedder

    @classmethod
    def train(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        variant: Variant = "full",
        include_labels: bool = False,
    ) -> CaseClassifier:
        """Train now (held-out report, CV, released model) and store the model under the data directory."""
        config, embedder = cls._setup(settings, embedder, variant)
        model, manifest = train_and_save(settings, config, embedder, include_labels)
        return cls(model, manifest, embedder)

    @classmethod
    def load_or_train(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        variant: Variant = "full",
        include_labels: bool = False,
    ) -> CaseClassifier:
        """The stored model when it matches the corpus and configuration, else a freshly trained one."""
        config, embedder = cls._setup(settings, embedder, variant)
        manifest = read_manifest(settings, variant)
        current = data_hash(settings, include_labels)
        if (
            manifest is not None
            and manifest.get("corpus_hash") == current
            and manifest.get("config", {}).get("config_hash") == config.config_hash()
            and manifest.get("include_labels") == include_labels
        ):
            try:
                model = load_model(settings, variant)
                if isinstance(model, FittedModel):
                    return cls(model, manifest, embedder)
            except ModelError as exc:
                log.warning("retraining the case classifier: %s", exc)
        model, manifest = train_and_save(settings, config, embedder, include_labels)
        return cls(model, manifest, embedder)

    def warm_up(self) -> None:
        """Load the embedder now (sentence-transformers import + weights: seconds), not on the first message."""
        self.predict("warm up")

    def predict(self, text: str) -> TextPrediction:
        """The case type of one message; empty or oversized text raises a ClassifierError."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[TextPrediction]:
        """Predictions for several messages, in order."""
        for text in texts:
            _check_text(text)
        if not texts:
            return []
        rows = make_rows(list(texts), self._embedder if self.variant == "full" else None)
        probabilities = self._model.probabilities(rows)
        labels = self._model.labels
        predictions = []
        for row in probabilities:
            probs = {c.value: 0.0 for c in CaseType} | {
                label: float(p) for label, p in zip(labels, row, strict=True)
            }
            ranked = sorted(probs.values(), reverse=True)
            top = max(probs, key=lambda k: probs[k])
            predictions.append(
                TextPrediction(
                    case_type=CaseType(top),
                    confidence=ranked[0],
                    probabilities=probs,
                    margin=ranked[0] - ranked[1],
                    version=self.version,
                )
            )
        return predictions
