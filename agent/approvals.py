"""Approval rules: roles, four-eyes, amount tiers, compliance sign-off and the kill switch, checked before any
decision lands.

SOP-015 §4.4: releasing a hold and recalling with FRAD or UAPA also need Financial Crime Compliance's sign-off
(a ``compliance`` user, never the requester nor the operational approver). SOP-015 §5 tier 3: above
EUR 1,000,000 two different approvers. Both are recorded as history events of the proposal (visible in the
approval queue and the audit log) and the proposal stays pending until the last required approval.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.errors import (
    ActionsDisabled,
    ApprovalError,
    ApprovalLimitExceeded,
    FourEyesViolation,
    InvalidDecision,
    NotAuthorised,
    ProposalNotPending,
)
from agent.proposals import PENDING_STATUSES
from core.identity import Principal

__all__ = ["APPROVER_ROLES", "Decision", "Principal", "check_decision", "check_role"]

APPROVER_ROLES = ("supervisor", "admin")
SIGNOFF_ROLE = "compliance"
TOP_TIER_EUR = 1_000_000.0  # SOP-015 §5: tier 3 (above this amount) needs two approvals
COMPLIANCE_RECALL_CODES = ("FRAD", "UAPA")
Stage = Literal["approve", "edit", "reject", "compliance_signoff", "first_approval"]


class SignOffRequired(ApprovalError):
    """An approval the procedure requires first (compliance sign-off) is missing."""

    code = "signoff_required"


class Decision(BaseModel):
    """One decision on one proposal: approve, edit (new arguments, needs its own approval) or reject."""

    proposal_id: str
    action: Literal["approve", "edit", "reject"]
    args: dict[str, Any] | None = Field(default=None, description="The edited arguments (edit only).")
    reason: str | None = Field(default=None, max_length=2000, description="Required for reject.")


def check_role(approver: Principal) -> None:
    if approver.role not in (*APPROVER_ROLES, SIGNOFF_ROLE):
        raise NotAuthorised(
            f"{approver.username} ({approver.role}) may not decide on proposals: needs supervisor or admin"
        )


def needs_compliance(proposal: dict[str, Any]) -> bool:
    """Hold releases and FRAD / UAPA recalls need Financial Crime Compliance's sign-off (SOP-015 §4.4)."""
    kind = proposal.get("kind")
    code = (proposal.get("args") or {}).get("reason_code") or proposal.get("reason_code")
    return kind == "release_hold" or (kind == "recall" and code in COMPLIANCE_RECALL_CODES)


def current_approvals(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """Sign-offs and first approvals of the proposal's current version (an edit starts over)."""
    events: list[dict[str, Any]] = []
    for event in proposal.get("history") or []:
        if event.get("event") == "edit":
            events = []
        elif event.get("event") in ("compliance_signoff", "first_approval"):
            events.append(event)
    return events


def queue_view(proposal: dict[str, Any]) -> dict[str, Any]:
    """The approvals a pending proposal has and still needs, for the approval queue."""
    done = current_approvals(proposal)
    signed = [e["by"] for e in done if e["event"] == "compliance_signoff"]
    return {
        **proposal,
        "compliance_signoff_required": needs_compliance(proposal),
        "compliance_signoff_by": signed[0] if signed else None,
        "first_approval_by": next((e["by"] for e in done if e["event"] == "first_approval"), None),
    }


def _check_limit(proposal: dict[str, Any], approver: Principal, amount_eur: float | None) -> None:
    if amount_eur is None:
        if proposal.get("amount") is not None:
            raise ApprovalLimitExceeded(
                f"cannot convert {proposal.get('currency')} to EUR to check the approval limit"
            )
        return
    if amount_eur > approver.approval_limit_eur:
        raise ApprovalLimitExceeded(
            f"{proposal['id']} is EUR {amount_eur:,.2f}, above {approver.username}'s limit of "
            f"EUR {approver.approval_limit_eur:,.2f}"
        )


def _signoff_stage(proposal: dict[str, Any], approver: Principal, done: list[dict[str, Any]]) -> Stage:
    if not needs_compliance(proposal):
        raise NotAuthorised(
            f"{proposal['id']} needs no compliance sign-off: a supervisor or admin decides on it"
        )
    if any(e["event"] == "compliance_signoff" for e in done):
        raise InvalidDecision(f"{proposal['id']} is already signed off by compliance")
    if any(e["by"] == approver.username for e in done):
        raise FourEyesViolation(f"{approver.username} already approved {proposal['id']}: one role per person")
    return "compliance_signoff"


def check_decision(
    decision: Decision,
    proposal: dict[str, Any] | None,
    approver: Principal,
    thread_id: str,
    *,
    actions_enabled: bool,
    amount_eur: float | None,
) -> Stage:
    """Raise the typed error that forbids this decision, or return its stage when it is allowed: a final
    ``approve``, a ``compliance_signoff`` or ``first_approval`` that leaves the proposal pending, ``edit`` or
    ``reject``."""
    check_role(approver)
    if proposal is None or proposal["thread_id"] != thread_id:
        raise ProposalNotPending(f"proposal {decision.proposal_id} is not part of thread {thread_id}")
    if proposal["status"] not in PENDING_STATUSES:
        raise ProposalNotPending(
            f"proposal {decision.proposal_id} is {proposal['status']}, not awaiting a decision"
        )
    if decision.action == "reject":
        if not (decision.reason or "").strip():
            raise InvalidDecision("a rejection needs a reason")
        return "reject"
    if decision.action == "edit":
        if approver.role == SIGNOFF_ROLE:
            raise NotAuthorised(f"{approver.username} (compliance) signs off or rejects; it does not edit")
        if not decision.args:
            raise InvalidDecision("an edit needs the new arguments")
        return "edit"
    if not actions_enabled:
        raise ActionsDisabled("actions are switched off by an administrator: nothing can be approved")
    if approver.username == proposal["requested_by"]:
        raise FourEyesViolation(
            f"{approver.username} requested proposal {proposal['id']} and cannot approve it"
        )
    done = current_approvals(proposal)
    if approver.role == SIGNOFF_ROLE:
        return _signoff_stage(proposal, approver, done)
    if needs_compliance(proposal) and not any(e["event"] == "compliance_signoff" for e in done):
        raise SignOffRequired(
            f"{proposal['id']} ({proposal['kind']} {proposal.get('reason_code')}) needs Financial Crime "
            "Compliance sign-off before approval (SOP-015 §4.4)"
        )
    if any(e["by"] == approver.username for e in done):
        raise FourEyesViolation(
            f"{approver.username} already approved or signed off {proposal['id']}: a different approver is needed"
        )
    _check_limit(proposal, approver, amount_eur)
    above_top_tier = amount_eur is not None and amount_eur > TOP_TIER_EUR
    if above_top_tier and not any(e["event"] == "first_approval" for e in done):
        return "first_approval"
    return "approve"
