"""Analysts submit a conversation's proposals for approval and leave feedback."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.auth import Analyst
from app.errors import raise_mapped
from app.routes.deps import audit_of, conversations_of, jsonable, owned_conversation, service_of
from app.schemas import FeedbackOut, TurnResultOut
from app.turns import turns_of

router = APIRouter(prefix="/api/conversations", tags=["proposals"])


@router.post("/{conversation_id}/submit", response_model=TurnResultOut)
async def submit(conversation_id: str, user: Analyst, request: Request) -> dict:
    """Send the thread's open proposals to the approval queue."""
    conv = owned_conversation(request, conversation_id, user)
    service = service_of(request)
    try:
        result = await service.submit(conv.id, user=user.username)
    except Exception as exc:
        raise_mapped(exc)
    conversations_of(request).touch(conv.id, submitted=True)
    turns_of(request.app).approvals_changed(conv.id)
    return {"result": jsonable(result)}


class FeedbackBody(BaseModel):
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2000)
    turn: int | None = Field(default=None, ge=1, le=10_000)


@router.post("/{conversation_id}/feedback", status_code=201, response_model=FeedbackOut)
def feedback(conversation_id: str, body: FeedbackBody, user: Analyst, request: Request) -> dict:
    """Thumbs up/down with an optional comment, recorded in the audit chain."""
    conv = owned_conversation(request, conversation_id, user)
    event = audit_of(request).append(
        "feedback",
        actor=user.username,
        conversation_id=conv.id,
        payload={"rating": body.rating, "comment": body.comment, "turn": body.turn},
    )
    return {"seq": event.seq}
