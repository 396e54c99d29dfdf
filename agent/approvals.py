"""Approval rules: roles, four-eyes, amount tiers and the kill switch, checked before any decision lands."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.errors import (
    ActionsDisabled,
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


class Decision(BaseModel):
    """One decision on one proposal: approve, edit (new arguments, needs its own approval) or reject."""

    proposal_id: str
    action: Literal["approve", "edit", "reject"]
    args: dict[str, Any] | None = Field(default=None, description="The edited arguments (edit only).")
    reason: str | None = Field(default=None, max_length=2000, description="Required for reject.")


def check_role(approver: Principal) -> None:
    if approver.role not in APPROVER_ROLES:
        raise NotAuthorised(
            f"{approver.username} ({approver.role}) may not decide on proposals: needs supervisor or admin"
        )


def check_decision(
    decision: Decision,
    proposal: dict[str, Any] | None,
    approver: Principal,
    thread_id: str,
    *,
    actions_enabled: bool,
    amount_eur: float | None,
) -> None:
    """Raise the typed error that forbids this decision, or return when it is allowed."""
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
        return
    if decision.action == "edit":
        if not decision.args:
            raise InvalidDecision("an edit needs the new arguments")
        return
    if not actions_enabled:
        raise ActionsDisabled("actions are switched off by an administrator: nothing can be approved")
    if approver.username == proposal["requested_by"]:
        raise FourEyesViolation(
            f"{approver.username} requested proposal {proposal['id']} and cannot approve it"
        )
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
