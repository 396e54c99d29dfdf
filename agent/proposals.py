"""Typed action proposals: what the agent suggests, never executes by itself."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

from core.domain import FINAL_STATUSES, PENDING_STATUSES, ActionKind, ProposalStatus

__all__ = [
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "Proposal",
    "ProposalStatus",
    "idempotency_key",
    "proposal_id",
]


class Proposal(BaseModel):
    """One proposed write action with its ISO 20022 draft and the evidence it rests on."""

    id: str = Field(description="Stable id, e.g. PR-3f2a9c1b7d.")
    thread_id: str
    turn: int
    kind: ActionKind
    args: dict[str, Any] = Field(description="Validated by tools.registry.ACTION_ARG_MODELS[kind].")
    reason_code: str
    message_type: str | None = Field(default=None, description="e.g. camt.056.001.12")
    iso_xml: str | None = None
    evidence_ids: list[str] = Field(default_factory=list)
    explanation: str = ""
    amount: float | None = None
    currency: str | None = None
    status: ProposalStatus = ProposalStatus.PROPOSED
    requested_by: str
    decided_by: str | None = None
    reason: str | None = None
    idempotency_key: str
    result: dict[str, Any] | None = None


def proposal_id(thread_id: str, turn: int, index: int) -> str:
    """Deterministic id, so a re-run of the propose node after a crash finds the same proposal."""
    digest = hashlib.sha256(f"{thread_id}|{turn}|{index}".encode()).hexdigest()
    return f"PR-{digest[:12]}"


def idempotency_key(pid: str, kind: str, args: dict[str, Any], revision: int = 0) -> str:
    """Stable key of one approved version of a proposal; the payments API refuses a replay of it."""
    canonical = json.dumps({"id": pid, "kind": kind, "args": args, "rev": revision}, sort_keys=True)
    return "pi-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
