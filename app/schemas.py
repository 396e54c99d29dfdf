"""Response models of the web API, so the OpenAPI document describes what every route answers.

Envelopes name their keys; records the agent or the payments API own (threads, proposals, tool data) stay
open objects (``extra="allow"``) so a new field reaches the UI without a schema change here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]


class Open(BaseModel):
    """A record whose listed fields are documented; further fields pass through."""

    model_config = ConfigDict(extra="allow")


class UserOut(Open):
    username: str
    role: str
    approval_limit_eur: float | None = None
    active: bool = True


class ConversationOut(Open):
    id: str
    owner: str
    title: str
    created_at: Any = None
    updated_at: Any = None
    submitted_at: Any = None
    turns: int | None = Field(default=None, description="Turns run so far (in the conversation list).")
    status: str | None = Field(
        default=None,
        description="In the list: running, awaiting approval, failed, approved, executed, rejected, answered or new.",
    )


# auth
class SessionOut(Open):
    user: UserOut
    csrf_token: str


class Ok(Open):
    ok: bool


# conversations and proposals
class ConversationList(Open):
    conversations: list[ConversationOut]


class ConversationOne(Open):
    conversation: ConversationOut


class ConversationWithThread(Open):
    conversation: ConversationOut
    thread: Json | None = Field(
        description="The agent's thread: turns (TurnResults) and proposals; null if none."
    )
    feedback: dict[str, Json] = Field(
        default_factory=dict, description="The latest feedback per turn number: {rating, comment}."
    )


class TurnResultOut(Open):
    result: Json | list[Json] = Field(
        description="The TurnResult after the decision, or the submitted proposals."
    )


class FeedbackOut(Open):
    seq: int = Field(description="Sequence number of the feedback's audit event.")
    candidate: str | None = Field(
        default=None, description="The evaluation candidate a thumbs-down or a corrected case type created."
    )


class CaseTypeOut(Open):
    value: str
    meaning: str


class CaseTypeList(Open):
    case_types: list[CaseTypeOut]


class EvalCandidateOut(Open):
    id: str
    conversation_id: str
    turn: int
    kind: str
    message: str
    observed: Json
    what_was_wrong: str
    status: str = Field(description="pending, accepted or dismissed")
    created_by: str
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    decision: Json | None = None


class EvalCandidateList(Open):
    candidates: list[EvalCandidateOut]


class EvalCandidateOne(Open):
    candidate: EvalCandidateOut


# approvals
class ApprovalQueue(Open):
    approvals: list[Json]
    approver: UserOut


# reference data
class SectionOut(Open):
    section: Json


class ToolReadOut(Open):
    ok: bool
    data: Json | None = None
    error: Json | None = None


class CasePanel(Open):
    reference: str
    payment: ToolReadOut
    tracker: ToolReadOut
    sla: ToolReadOut


class CodeMeanings(Open):
    status: dict[str, str] = Field(description="Payment status code -> meaning, e.g. ACSP")
    reason: dict[str, str] = Field(
        description="Status / return / cancellation reason code -> meaning, e.g. G002"
    )
    answer: dict[str, str] = Field(description="camt.029 answer status -> meaning, e.g. RJCR")


class EvidenceItemOut(Open):
    id: str = Field(description="Evidence id, e.g. E2")
    tool: str
    args: Json = Field(default_factory=dict)
    ok: bool
    summary: str = ""
    data: Any = None
    error: Json | None = None


class TurnEvidence(Open):
    turn: int | None = Field(
        description="The turn whose reads these are (the last saved turn); None: none yet"
    )
    evidence: list[EvidenceItemOut]


# compliance
class SearchResults(Open):
    conversations: list[Json]


class EventList(Open):
    events: list[Json]


class VerifyOut(Open):
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str | None = None
    anchor: Json | None = None


# admin
class UserList(Open):
    users: list[UserOut]


class ChangeOut(Open):
    change: Json


class ChangeList(Open):
    changes: list[Json]


class UserOne(Open):
    user: UserOut


class ChangeOrUser(Open):
    change: Json | None = None
    user: UserOut | None = None


class UnlockOut(Open):
    username: str
    cleared: Any


class ControlsOut(Open):
    controls: Json


class ConfigOut(Open):
    config: Json


# operations and health
class MonitorOut(Open):
    monitor: Json


class LiveOut(Open):
    live: bool


class ReadyOut(Open):
    ready: bool
    checks: dict[str, Json]


class HealthOut(Open):
    ok: bool
    agent: bool
