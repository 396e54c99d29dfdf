"""Typed errors of the agent area; each carries a stable ``code`` for APIs and the CLI."""

from __future__ import annotations

from core.errors import PayinvestError


class AgentError(PayinvestError):
    """Base class: a clear, user-facing failure of the agent service."""

    code = "agent_error"
    http_status = 400


class ApprovalError(AgentError):
    """A decision on a proposal was refused."""

    code = "approval_refused"
    http_status = 403


class FourEyesViolation(ApprovalError):
    """The approver is the requester of the proposal (maker cannot be checker)."""

    code = "four_eyes_violation"


class NotAuthorised(ApprovalError):
    """The principal's role may not take this decision."""

    code = "not_authorised"


class ApprovalLimitExceeded(ApprovalError):
    """The proposal amount (in EUR) is above the approver's limit."""

    code = "approval_limit_exceeded"


class ProposalNotPending(ApprovalError):
    """The proposal is unknown, not submitted, or already decided."""

    code = "proposal_not_pending"
    http_status = 409


class ActionsDisabled(ApprovalError):
    """The actions kill switch is on: nothing may be approved or executed."""

    code = "actions_disabled"
    http_status = 423


class InvalidDecision(AgentError):
    """A decision is malformed (unknown kind, bad edited arguments, missing reason)."""

    code = "invalid_decision"
    http_status = 422


class ThreadNotFound(AgentError):
    """No conversation with this thread id."""

    code = "thread_not_found"
    http_status = 404


class ThreadAwaitingApproval(AgentError):
    """The thread has submitted proposals waiting for a supervisor; no new turn until they are decided."""

    code = "thread_awaiting_approval"
    http_status = 409


class NothingToSubmit(AgentError):
    """The thread has no proposals waiting to be submitted."""

    code = "nothing_to_submit"
    http_status = 409


class LLMDisabled(AgentError):
    """The LLM kill switch is on."""

    code = "llm_disabled"
    http_status = 423


class ServiceNotReady(AgentError):
    """A dependency is missing (data not seeded, index not built, model not installed)."""

    code = "not_ready"
    http_status = 503


class TurnFailed(AgentError):
    """The graph run failed unexpectedly (the cause is in the audit log and the logs)."""

    code = "turn_failed"
    http_status = 500
