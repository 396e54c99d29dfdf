"""The supervisors' approval queue and their decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from app.auth import require_roles
from app.errors import ApiError, raise_mapped
from app.routes.deps import (
    controls_of,
    conversations_of,
    find_conversation,
    jsonable,
    principal_for,
    service_of,
)
from app.schemas import ApprovalQueue, TurnResultOut
from app.turns import turns_of
from core.users import User

router = APIRouter(prefix="/api/approvals", tags=["approvals"])
# Compliance signs off hold releases and FRAD / UAPA recalls here (agent.approvals enforces who may do what).
Approver = Annotated[User, Depends(require_roles("supervisor", "compliance"))]


class Decision(BaseModel):
    proposal_id: str = Field(min_length=1, max_length=100)
    action: Literal["approve", "edit", "reject"]
    reason: str = Field(default="", max_length=2000)
    args: dict[str, Any] | None = None


class DecideBody(BaseModel):
    decisions: list[Decision] = Field(min_length=1, max_length=50)


@router.get("", response_model=ApprovalQueue)
async def queue(user: Approver, request: Request) -> dict:
    """Proposals waiting for a decision, with requester, amount, age and SLA as the agent reports them."""
    items = service_of(request).pending_approvals()
    return {"approvals": jsonable(items), "approver": user.to_dict()}


@router.post("/{thread_id}/decide", response_model=TurnResultOut)
async def decide(thread_id: str, body: DecideBody, user: Approver, request: Request) -> dict:
    """Approve, edit or reject; four-eyes and amount tiers are enforced by the agent service."""
    if find_conversation(request, thread_id) is None:
        raise ApiError(404, "conversation_not_found", "no such conversation")
    for d in body.decisions:
        if d.action == "reject" and not d.reason.strip():
            raise ApiError(422, "reason_required", "a rejection needs a reason")
        if d.action == "edit" and not d.args:
            raise ApiError(422, "args_required", "an edit needs the edited arguments")
    if not controls_of(request).actions_enabled and any(d.action != "reject" for d in body.decisions):
        raise ApiError(423, "actions_disabled", "actions are switched off by an administrator")
    decisions = [d.model_dump(exclude_none=True) for d in body.decisions]
    try:
        result = await service_of(request).decide(thread_id, decisions, approver=principal_for(user))
    except Exception as exc:
        raise_mapped(exc)
    conversations_of(request).touch(thread_id)
    turns_of(request.app).approvals_changed(thread_id)  # the analyst's approval-status stream
    return {"result": jsonable(result)}
