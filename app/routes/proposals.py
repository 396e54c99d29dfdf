"""Analysts submit a conversation's proposals for approval and leave feedback."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.auth import Analyst
from app.errors import ApiError, as_api_error, raise_mapped
from app.routes.deps import (
    audit_of,
    candidates_of,
    conversations_of,
    jsonable,
    owned_conversation,
    service_of,
)
from app.schemas import FeedbackOut, TurnResultOut
from app.turns import turns_of
from core.domain import CaseType

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
    case_type: CaseType | None = Field(
        default=None, description="The case type the turn should have had (a correction)."
    )


@router.post("/{conversation_id}/feedback", status_code=201, response_model=FeedbackOut)
def feedback(conversation_id: str, body: FeedbackBody, user: Analyst, request: Request) -> dict:
    """Thumbs up/down with an optional comment, recorded in the audit chain. A thumbs-down or a corrected case
    type also makes an evaluation candidate of the turn, for an admin to review (``/api/admin/eval-candidates``)."""
    conv = owned_conversation(request, conversation_id, user)
    turn = _feedback_turn(request, conv.id, body.turn)
    event = audit_of(request).append(
        "feedback",
        actor=user.username,
        conversation_id=conv.id,
        payload={
            "rating": body.rating,
            "comment": body.comment,
            "turn": turn["turn"] if turn else body.turn,  # the turn it is about, so a reload shows it pressed
            "case_type": body.case_type.value if body.case_type else None,
        },
    )
    candidate = None
    if turn is not None and (body.rating == "down" or body.case_type):
        observed = (turn.get("result") or {}).get("case_type")
        corrected = body.case_type is not None and body.case_type.value != observed
        wrong = body.comment.strip() or "thumbs-down without a comment"
        if corrected and body.case_type is not None:
            wrong = f"case type should be {body.case_type.value}, not {observed}. {body.comment}".strip()
        try:
            candidate = candidates_of(request).create(
                conversation_id=conv.id,
                turn=turn,
                kind="case_type_correction" if corrected else "thumbs_down",
                what_was_wrong=wrong,
                user=user.username,
            )
        except Exception as exc:
            raise_mapped(exc)
    return {"seq": event.seq, "candidate": candidate["id"] if candidate else None}


def _feedback_turn(request: Request, conversation_id: str, number: int | None) -> dict | None:
    """The turn the feedback is about (the last one when not named); 404 for a turn that does not exist."""
    service = getattr(request.app.state, "agent_service", None)
    if service is None:
        return None
    try:
        turns = service.thread(conversation_id)["turns"]
    except Exception as exc:  # a conversation the agent has no thread for yet: no turn to evaluate
        if getattr(as_api_error(exc), "status", None) == 404:
            return None
        raise
    if number is None:
        return turns[-1] if turns else None
    for turn in turns:
        if turn["turn"] == number:
            return turn
    raise ApiError(404, "turn_not_found", f"conversation {conversation_id} has no turn {number}")
