"""The case-type classifier: a calibrated linear model over MiniLM embeddings and lexical n-grams.

```python
from agent.classifier import CaseClassifier, TextPrediction
clf = CaseClassifier.load_or_train(settings)            # trains in seconds when absent or stale
pred = clf.predict("bene says PAY-00012345 never arrived")  # TextPrediction
```
docs/classifier.md describes the corpus, the features, the training and the report.
"""

from __future__ import annotations

from agent.classifier.classifier import MAX_TEXT_CHARS, CaseClassifier, TextPrediction
from agent.classifier.errors import (
    ClassifierError,
    CorpusError,
    EmptyText,
    InvalidLabel,
    ModelError,
    TextTooLong,
)
from agent.classifier.metrics import CONFIDENCE_THRESHOLD
from agent.classifier.report import classifier_report
from agent.classifier.store import append_labelled_example

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "MAX_TEXT_CHARS",
    "CaseClassifier",
    "ClassifierError",
    "CorpusError",
    "EmptyText",
    "InvalidLabel",
    "ModelError",
    "TextPrediction",
    "TextTooLong",
    "append_labelled_example",
    "classifier_report",
]
