"""An action the evidence supports, before validation and drafting (what a playbook rule returns)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.domain import ActionKind


@dataclass(frozen=True)
class Candidate:
    """One proposed action: kind, arguments, reason code, the evidence ids it rests on and why."""

    kind: ActionKind
    args: dict[str, Any]
    reason_code: str
    evidence_ids: list[str]
    explanation: str
