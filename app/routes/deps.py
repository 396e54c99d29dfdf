"""Shared request dependencies: stores from app.state, the agent service, conversation access."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import Request

from agent.ports import AgentServiceProtocol
from app.errors import ApiError
from core.audit import AuditLog
from core.controls import Controls, read_controls
from core.conversations import Conversation, ConversationRepository
from core.domain import ProposalStatus
from core.identity import Principal
from core.users import User, UserStore
from evals.candidates import CandidateStore


def audit_of(request: Request) -> AuditLog:
    return request.app.state.audit


def candidates_of(request: Request) -> CandidateStore:
    """The evaluation-candidate queue (analysts' feedback an admin turns into evaluation cases)."""
    return CandidateStore(request.app.state.engine, audit_of(request), request.app.state.settings)


def users_of(request: Request) -> UserStore:
    return request.app.state.users


def conversations_of(request: Request) -> ConversationRepository:
    return request.app.state.conversations


def controls_of(request: Request) -> Controls:
    """The kill switches, read fresh from the database on every request."""
    return read_controls(request.app.state.engine)


def service_of(request: Request) -> AgentServiceProtocol:
    """The agent service; 503 while it is not available (agent not installed, failed to start)."""
    service = getattr(request.app.state, "agent_service", None)
    if service is None:
        reason = getattr(request.app.state, "agent_error", None) or "the agent service is not running"
        raise ApiError(503, "agent_unavailable", reason)
    return service


# Every status but "proposed": the analyst has submitted the thread.
_DECIDED_OR_WAITING = frozenset(s.value for s in ProposalStatus) - {ProposalStatus.PROPOSED.value}


def _agent_thread(request: Request, conversation_id: str) -> dict[str, Any] | None:
    """The agent's record of a thread, or None (no service, unknown thread)."""
    service = getattr(request.app.state, "agent_service", None)
    if service is None or len(conversation_id) > 64:
        return None
    try:
        thread = service.thread(conversation_id)
    except Exception:
        return None
    return jsonable(thread) if thread else None


def find_conversation(request: Request, conversation_id: str) -> Conversation | None:
    """The conversation (agent and web app share one repository: threads started anywhere are in it)."""
    if len(conversation_id) > 64:
        return None
    return conversations_of(request).get(conversation_id)


def readable_conversation(request: Request, conversation_id: str, user: User) -> Conversation:
    """The conversation if this user may read it: owner analyst, supervisor once submitted, compliance."""
    conv = find_conversation(request, conversation_id)
    submitted = conv is not None and conv.submitted_at is not None
    if conv is not None and not submitted and user.role == "supervisor":
        thread = _agent_thread(request, conversation_id) or {}
        submitted = any(p.get("status") in _DECIDED_OR_WAITING for p in thread.get("proposals") or [])
    allowed = conv is not None and (
        (user.role == "analyst" and conv.owner == user.username)
        or (user.role == "supervisor" and submitted)
        or user.role == "compliance"
    )
    if not allowed or conv is None:
        # Same answer for "missing" and "not yours": no probing of other users' conversation ids.
        raise ApiError(404, "conversation_not_found", "no such conversation")
    return conv


def owned_conversation(request: Request, conversation_id: str, user: User) -> Conversation:
    """The conversation if this analyst owns it (404 otherwise)."""
    conv = find_conversation(request, conversation_id)
    if conv is None or conv.owner != user.username:
        raise ApiError(404, "conversation_not_found", "no such conversation")
    return conv


def principal_for(user: User) -> Principal:
    """The agent's Principal for this user."""
    return Principal.from_user(user)


def jsonable(value: Any) -> Any:
    """Pydantic models, dataclasses and containers as plain JSON-safe values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
