"""Conversations: list own, create, read, and post a message answered as an SSE stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.auth import Analyst, AnyUser
from app.errors import ApiError, as_api_error
from app.rate_limits import check_turn_rate
from app.routes.deps import (
    audit_of,
    controls_of,
    conversations_of,
    jsonable,
    owned_conversation,
    readable_conversation,
    service_of,
)
from app.turn_runner import runner_of

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
log = structlog.get_logger("payinvest.app")

MAX_MESSAGE_CHARS = 4000


class NewConversation(BaseModel):
    title: str = Field(default="", max_length=200)


class MessageBody(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    case_type: str | None = Field(
        default=None, max_length=40, description="The analyst's pick when the agent asked which case this is."
    )


@router.get("")
def list_conversations(user: AnyUser, request: Request) -> dict:
    """Analysts see their own; supervisors those submitted for approval; compliance everything."""
    store = conversations_of(request)  # a read: threads started from the CLI are in the same table
    if user.role == "analyst":
        items = store.list(owner=user.username)
    elif user.role == "supervisor":
        items = store.list(submitted=True)
    elif user.role == "compliance":
        items = store.list()
    else:
        raise ApiError(403, "forbidden", "admins do not read conversations")
    return {"conversations": [c.to_dict() for c in items]}


@router.post("", status_code=201)
def create_conversation(body: NewConversation, user: Analyst, request: Request) -> dict:
    """Open a new conversation owned by the analyst."""
    conv = conversations_of(request).create(owner=user.username, title=body.title)
    audit_of(request).append(
        "conversation_created", actor=user.username, conversation_id=conv.id, payload={"title": conv.title}
    )
    return {"conversation": conv.to_dict()}


@router.get("/{conversation_id}")
async def get_conversation(conversation_id: str, user: AnyUser, request: Request) -> dict:
    """The conversation record plus the agent's view of its thread (messages, proposals, status)."""
    conv = readable_conversation(request, conversation_id, user)
    thread: Any = None
    service = getattr(request.app.state, "agent_service", None)
    if service is not None:
        try:
            thread = service.thread(conversation_id)
        except Exception as exc:
            mapped = as_api_error(exc)
            if mapped is None or mapped.status != 404:
                raise
    return {"conversation": conv.to_dict(), "thread": jsonable(thread)}


def _sse(event_type: str, data: Any) -> str:
    return f"event: {event_type}\ndata: {json.dumps(jsonable(data), ensure_ascii=False)}\n\n"


@router.post("/{conversation_id}/messages")
async def post_message(
    conversation_id: str, body: MessageBody, user: Analyst, request: Request
) -> StreamingResponse:
    """Run one agent turn; events stream as ``text/event-stream`` (``event: <type>``, JSON ``data``)."""
    conv = owned_conversation(request, conversation_id, user)
    check_turn_rate(request, user.username)
    if not controls_of(request).llm_enabled:
        raise ApiError(423, "llm_disabled", "the assistant is switched off by an administrator")
    service = service_of(request)
    conversations = conversations_of(request)
    conversations.touch(conv.id, title=body.message[:80] if conv.title == "New conversation" else None)

    async def events() -> AsyncIterator[str]:
        try:
            choice = {"case_type": body.case_type} if body.case_type else {}  # the analyst's one-click pick
            # the turn runs in its own task: a client that disconnects stops reading, not the turn
            turn = service.stream(body.message, thread_id=conv.id, user=user.username, **choice)
            async for event in runner_of(request.app).detach(turn):
                event = jsonable(event)
                yield _sse(str(event.get("type", "message")), event.get("data", {}))
        except Exception as exc:
            mapped = as_api_error(exc)
            if mapped is None:
                log.exception("stream_failed", conversation_id=conv.id)
                yield _sse("error", {"code": "internal_error", "message": "the turn failed; it was logged"})
            else:
                yield _sse("error", {"code": mapped.code, "message": mapped.message})
        yield _sse("done", {"conversation_id": conv.id})

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
