"""Conversations: list own, create, read, and post a message answered as an SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from app.auth import Analyst, AnyUser
from app.errors import ApiError, as_api_error
from app.rate_limits import check_turn_rate
from app.routes.deps import (
    audit_of,
    controls_of,
    conversations_of,
    find_conversation,
    jsonable,
    owned_conversation,
    readable_conversation,
    service_of,
)
from app.schemas import ConversationList, ConversationOne, ConversationWithThread, TurnEvidence
from app.turns import TurnLog, TurnRegistry, turns_of

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
log = structlog.get_logger("payinvest.app")

MAX_MESSAGE_CHARS = 4000
WAITING_STATUSES = ("submitted", "edited", "approved")  # the analyst's view waits for these to change


class NewConversation(BaseModel):
    title: str = Field(default="", max_length=200)


class StopResult(BaseModel):
    stopped: bool = Field(description="False when no turn was running.")


class MessageBody(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    case_type: str | None = Field(
        default=None, max_length=40, description="The analyst's pick when the agent asked which case this is."
    )


@router.get("", response_model=ConversationList)
def list_conversations(
    user: AnyUser,
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Title or reference contains this.")] = None,
) -> dict:
    """Analysts see their own; supervisors those submitted for approval; compliance everything."""
    store = conversations_of(request)  # a read: threads started from the CLI are in the same table
    if user.role == "analyst":
        items = store.list(owner=user.username, search=q)
    elif user.role == "supervisor":
        items = store.list(submitted=True, search=q)
    elif user.role == "compliance":
        items = store.list(search=q)
    else:
        raise ApiError(403, "forbidden", "admins do not read conversations")
    statuses = _proposal_statuses(request)
    running = turns_of(request.app).running
    return {
        "conversations": [
            {
                **c.to_dict(),
                "turns": c.turns,
                "status": _status(c.turns, running(c.id), statuses.get(c.id, set())),
            }
            for c in items
        ]
    }


def _proposal_statuses(request: Request) -> dict[str, set[str]]:
    """Each thread's proposal statuses, read once from the agent's proposals table (none without an agent)."""
    store = getattr(getattr(request.app.state, "agent_service", None), "store", None)
    found: dict[str, set[str]] = {}
    for p in store.list_proposals() if store is not None else []:
        found.setdefault(p["thread_id"], set()).add(p["status"])
    return found


def _status(turns: int, running: bool, proposals: set[str]) -> str:
    """What the conversation list shows: the step that waits on someone first, then the latest outcome."""
    if running:
        return "running"
    for status, shown in (
        ("submitted", "awaiting approval"),
        ("edited", "awaiting approval"),
        ("execution_failed", "failed"),
        ("failed", "failed"),
        ("approved", "approved"),
        ("executed", "executed"),
        ("rejected", "rejected"),
    ):
        if status in proposals:
            return shown
    return "answered" if turns else "new"


@router.post("", status_code=201, response_model=ConversationOne)
def create_conversation(body: NewConversation, user: Analyst, request: Request) -> dict:
    """Open a new conversation owned by the analyst."""
    conv = conversations_of(request).create(owner=user.username, title=body.title)
    audit_of(request).append(
        "conversation_created", actor=user.username, conversation_id=conv.id, payload={"title": conv.title}
    )
    return {"conversation": conv.to_dict()}


class Rename(BaseModel):
    title: str = Field(min_length=1, max_length=200)


@router.patch("/{conversation_id}", response_model=ConversationOne)
def rename_conversation(conversation_id: str, body: Rename, user: Analyst, request: Request) -> dict:
    """The owner renames the conversation."""
    conv = owned_conversation(request, conversation_id, user)
    title = body.title.strip()
    if not title:
        raise ApiError(422, "title_required", "a title cannot be blank")
    conversations_of(request).touch(conv.id, title=title)
    audit_of(request).append(
        "conversation_renamed", actor=user.username, conversation_id=conv.id, payload={"title": title}
    )
    renamed = find_conversation(request, conv.id) or conv
    return {"conversation": renamed.to_dict()}


@router.get("/{conversation_id}", response_model=ConversationWithThread)
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
    return {
        "conversation": conv.to_dict(),
        "thread": jsonable(thread),
        "feedback": _feedback(request, conv.id),
    }


def _feedback(request: Request, conversation_id: str) -> dict[str, dict[str, Any]]:
    """The latest feedback on each turn (from the audit chain's ``feedback`` events), keyed by turn number."""
    latest: dict[str, dict[str, Any]] = {}
    for event in audit_of(request).events(conversation_id=conversation_id, event_type="feedback"):
        turn = event.payload.get("turn")
        if turn is not None:
            latest[str(turn)] = {
                "rating": event.payload.get("rating"),
                "comment": event.payload.get("comment", ""),
            }
    return latest


@router.get("/{conversation_id}/evidence", response_model=TurnEvidence)
async def get_evidence(conversation_id: str, user: AnyUser, request: Request) -> dict:
    """The reads of the last saved turn with their data (``{turn: null, evidence: []}`` before any)."""
    conv = readable_conversation(request, conversation_id, user)
    try:
        found = await service_of(request).evidence(conv.id)
    except Exception as exc:
        mapped = as_api_error(exc)
        if mapped is None or mapped.status != 404:
            raise
        found = {"turn": None, "evidence": []}  # a conversation whose first turn has not run yet
    return jsonable(found)


def _error_event(conversation_id: str) -> Callable[[BaseException], dict[str, Any]]:
    def mapped(exc: BaseException) -> dict[str, Any]:
        api_error = as_api_error(exc) if isinstance(exc, Exception) else None
        if api_error is None:
            log.error("stream_failed", conversation_id=conversation_id, exc_info=exc)
            return {"code": "internal_error", "message": "the turn failed; it was logged"}
        return {"code": api_error.code, "message": api_error.message}

    return mapped


async def start_turn(conversation_id: str, body: MessageBody, user: Analyst, request: Request) -> TurnLog:
    """Check the request (typed errors before the stream opens), then start the turn in its own task."""
    conv = owned_conversation(request, conversation_id, user)
    check_turn_rate(request, user.username)
    if not controls_of(request).llm_enabled:
        raise ApiError(423, "llm_disabled", "the assistant is switched off by an administrator")
    turns = turns_of(request.app)
    if turns.running(conv.id):
        raise ApiError(409, "turn_running", "a turn is still running in this conversation: wait or stop it")
    service = service_of(request)
    conversations_of(request).touch(
        conv.id, title=body.message[:80] if conv.title == "New conversation" else None
    )
    choice = {"case_type": body.case_type} if body.case_type else {}  # the analyst's one-click pick

    async def events() -> AsyncIterator[dict[str, Any]]:
        async for event in service.stream(body.message, thread_id=conv.id, user=user.username, **choice):
            yield jsonable(event)

    return turns.start(conv.id, events, _error_event(conv.id))


@router.post("/{conversation_id}/messages", response_class=EventSourceResponse)
async def post_message(turn: Annotated[TurnLog, Depends(start_turn)]) -> AsyncIterable[ServerSentEvent]:
    """Run one agent turn; events stream as ``text/event-stream`` (``event: <type>``, JSON ``data``, ``id``
    for ``GET …/events`` with ``Last-Event-ID``). The turn runs to its end if the client goes away."""
    async for event in turn.follow():
        yield event


def readable_id(conversation_id: str, user: AnyUser, request: Request) -> str:
    """The conversation id once the user may read it (checked before a stream opens: errors stay JSON)."""
    return readable_conversation(request, conversation_id, user).id


@router.get("/{conversation_id}/events", response_class=EventSourceResponse)
async def turn_events(
    conversation_id: Annotated[str, Depends(readable_id)],
    request: Request,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterable[ServerSentEvent]:
    """The conversation's current or last turn from after ``Last-Event-ID`` (all of it without one); nothing
    when this process runs no turn for it (the thread's history has the result)."""
    turn = turns_of(request.app).current(conversation_id)
    if turn is None:
        return
    async for event in turn.follow(turn.start_after(last_event_id)):
        yield event


@router.post("/{conversation_id}/stop", response_model=StopResult)
async def stop_turn(conversation_id: str, user: Analyst, request: Request) -> StopResult:
    """Stop the conversation's running turn (its stream ends with ``stopped`` then ``done``)."""
    owned_conversation(request, conversation_id, user)
    return StopResult(stopped=await turns_of(request.app).stop(conversation_id))


APPROVAL_RECHECK_S = 10.0  # a decision taken by another worker shows up within this time


def _approval_stream(conversation_id: str, user: AnyUser, request: Request) -> tuple[Any, TurnRegistry]:
    """The checks of the approval stream, run before its response starts (a typed error is then a plain
    JSON error, not a broken stream)."""
    readable_conversation(request, conversation_id, user)
    service = service_of(request)
    service.thread(conversation_id)  # 404 thread_not_found before the stream opens
    return service, turns_of(request.app)


@router.get("/{conversation_id}/approval-events", response_class=EventSourceResponse)
async def approval_events(
    conversation_id: str, checked: Annotated[tuple[Any, TurnRegistry], Depends(_approval_stream)]
) -> AsyncIterable[ServerSentEvent]:
    """The statuses of the conversation's proposals, pushed when they change; ends when none awaits a
    decision or an execution."""
    service, turns = checked
    last: Any = None
    n = 0
    while True:
        proposals = service.thread(conversation_id).get("proposals") or []
        statuses = {p["id"]: p["status"] for p in proposals}
        if statuses != last:
            yield ServerSentEvent(event="approval_status", data={"proposals": jsonable(statuses)}, id=str(n))
            last, n = statuses, n + 1
        if not any(s in WAITING_STATUSES for s in statuses.values()):
            return
        await turns.wait_for_approvals(conversation_id, APPROVAL_RECHECK_S)
