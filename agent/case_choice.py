"""The analyst's pick of a case type: validated, and stored as a labelled example for the classifier."""

from __future__ import annotations

from typing import Any

from agent.service_support import InvalidMessage
from core.domain import CaseType


def check_case_type(value: str | None) -> str | None:
    """A known case type value, or None (typed error for anything else)."""
    if value is None or value == "":
        return None
    try:
        return CaseType(str(value).strip().lower()).value
    except ValueError:
        known = ", ".join(c.value for c in CaseType)
        raise InvalidMessage(f"unknown case type {str(value)[:40]!r}; one of: {known}") from None


def record_choice(settings: Any, message: str, case_type: str, user: str, thread_id: str, audit: Any) -> bool:
    """Append the message with the analyst's label to the classifier's labelled examples (when installed)."""
    try:
        from agent.classifier import append_labelled_example  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        stored = False
    else:
        append_labelled_example(
            settings, message, case_type, source="analyst", user=user, thread_id=thread_id
        )
        stored = True
    audit.record(
        {"type": "case_type_choice", "data": {"case_type": case_type, "stored": stored}},
        actor=user,
        thread_id=thread_id,
    )
    return stored
