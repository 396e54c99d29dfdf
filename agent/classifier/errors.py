"""Typed errors of the case classifier; each is an AgentError with a stable ``code``."""

from __future__ import annotations

from agent.errors import AgentError


class ClassifierError(AgentError):
    """Base class: the classifier could not train, load or predict."""

    code = "classifier_error"


class EmptyText(ClassifierError):
    """The message to classify (or to store as a label) has no text."""

    code = "empty_text"


class TextTooLong(ClassifierError):
    """The message is longer than the classifier accepts."""

    code = "text_too_long"


class InvalidLabel(ClassifierError):
    """A labelled example names a case type that does not exist."""

    code = "invalid_label"


class CorpusError(ClassifierError):
    """A training-corpus file is missing or has a malformed line."""

    code = "corpus_error"


class ModelError(ClassifierError):
    """A stored model could not be read (corrupt file, other library version)."""

    code = "model_error"
