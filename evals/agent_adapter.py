"""The only place that talks to agent.service: builds the service for a config and drives turns/decisions."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from core.domain import PENDING_STATUSES as CORE_PENDING_STATUSES
from core.domain import ProposalStatus
from evals.config import EvalConfig
from evals.dataset import Decision
from evals.trajectory import DecisionRecord, ProposalRecord, TurnRecord, turn_from_result

# Not decided yet: proposed (the adapter submits it) or waiting for the supervisor.
PENDING_STATUSES = frozenset({ProposalStatus.PROPOSED.value, *CORE_PENDING_STATUSES})


def agent_config(config: EvalConfig) -> Any:
    """The agent's AgentConfig for an eval configuration (unknown keys are rejected by AgentConfig)."""
    from agent.config import AgentConfig

    data: dict[str, Any] = dict(config.agent)
    if config.prompt_versions:
        data["prompt_versions"] = {**AgentConfig().prompt_versions, **config.prompt_versions}
    if config.retrieval.k is not None:
        data["retrieval_k"] = config.retrieval.k
    return AgentConfig(**data)


def principal(username: str) -> Any:
    """The agent Principal of a demo user (role and approval limit from core.users.DEMO_USERS)."""
    from agent.approvals import Principal
    from core.users import DEMO_USERS

    user = next((u for u in DEMO_USERS if u.username == username), None)
    fields: dict[str, Any] = {
        "username": username,
        "role": str(user.role) if user else "analyst",
        "approval_limit_eur": float(user.approval_limit_eur or 0.0) if user else 0.0,
    }
    if dataclasses.is_dataclass(Principal):
        names = {f.name for f in dataclasses.fields(Principal)}
        fields = {k: v for k, v in fields.items() if k in names}
    return Principal(**fields)


def _error_text(exc: BaseException) -> str:
    code = getattr(exc, "code", None) or type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    return f"{code}: {message}"[:500]


async def _streamed_turn(service: Any, message: str, thread_id: str, user: str) -> tuple[Any, float | None]:
    """The turn's result and the seconds until its first ``findings`` event (None when none was emitted)."""
    started = time.perf_counter()
    findings_at: float | None = None
    last: dict[str, Any] = {}
    async for event in service.stream(message, thread_id=thread_id, user=user):
        if event.get("type") == "findings" and findings_at is None:
            findings_at = time.perf_counter() - started
        last = event
    if last.get("type") != "turn":
        raise RuntimeError(f"the turn ended without a result (last event {last.get('type')!r})")
    return last["data"], findings_at


async def ask(service: Any, message: str, *, thread_id: str, user: str, timeout_s: float) -> TurnRecord:
    """One analyst turn; an error or a timeout becomes a TurnRecord with ``error`` set."""
    started = time.perf_counter()
    findings_at: float | None = None
    try:
        if hasattr(service, "stream"):
            result, findings_at = await asyncio.wait_for(
                _streamed_turn(service, message, thread_id, user), timeout_s
            )
        else:
            result = await asyncio.wait_for(service.ask(message, thread_id=thread_id, user=user), timeout_s)
    except TimeoutError:
        return TurnRecord(role="analyst", content=message, error=f"timeout after {timeout_s:.0f}s")
    except Exception as exc:
        return TurnRecord(role="analyst", content=message, error=_error_text(exc))
    record = turn_from_result(result, role="analyst", content=message)
    record.wall_s = round(time.perf_counter() - started, 3)
    if findings_at is not None:
        record.findings_latency_s = round(findings_at, 3)
    return record


def current_proposals(service: Any, thread_id: str) -> list[ProposalRecord] | None:
    """The thread's proposals as the service stores them now (None when the service cannot say)."""
    from evals.trajectory import proposal_from_row

    try:
        rows = service.thread(thread_id)["proposals"]
    except Exception:
        return None
    return [proposal_from_row(row) for row in rows if isinstance(row, dict)]


def _target(proposals: list[ProposalRecord], kind: str) -> ProposalRecord | None:
    pending = [p for p in proposals if p.kind == kind and p.status in PENDING_STATUSES]
    any_kind = [p for p in proposals if p.kind == kind]
    candidates = pending or any_kind
    return candidates[-1] if candidates else None


async def decide(
    service: Any,
    decision: Decision,
    *,
    thread_id: str,
    proposals: list[ProposalRecord],
    requester: str,
    timeout_s: float,
) -> TurnRecord:
    """Submit the pending proposals, then apply one approver decision; refusals are recorded, not raised."""
    proposals = current_proposals(service, thread_id) or proposals
    target = _target(proposals, decision.proposal_kind)
    record = DecisionRecord(
        proposal_id=target.id if target else None,
        proposal_kind=decision.proposal_kind,
        action=decision.action,
        approver=decision.as_user,
        requester=target.requested_by or requester if target else requester,
        accepted=False,
    )
    turn = TurnRecord(role="approval", content=f"{decision.action} {decision.proposal_kind}", decision=record)
    if target is None:
        record.error = "no_proposal: the agent made no proposal of this kind"
        return turn
    body: dict[str, Any] = {
        "proposal_id": target.id,
        "action": decision.action,
        "reason": decision.reason or None,
    }
    if decision.action == "edit":
        body["args"] = {**target.args, **decision.edited_args}
    # The graph resumes only when the whole batch is decided: the scenario's other proposals are rejected.
    others = [
        {"proposal_id": p.id, "action": "reject", "reason": "eval: not this scenario's decision"}
        for p in proposals
        if p.id != target.id and p.status in PENDING_STATUSES and p.turn == target.turn
    ]
    try:
        if target.status == "proposed" and hasattr(service, "submit"):
            await asyncio.wait_for(service.submit(thread_id, user=requester), timeout_s)
        result = await asyncio.wait_for(
            service.decide(thread_id, [body, *others], approver=principal(decision.as_user)), timeout_s
        )
    except TimeoutError:
        record.error = f"timeout after {timeout_s:.0f}s"
        return turn
    except Exception as exc:
        record.error = _error_text(exc)
        return turn
    record.accepted = True
    done = turn_from_result(result, role="approval", content=turn.content)
    done.decision = record
    done.tool_calls, done.hits = [], []  # the decided turn's reads were already recorded with its question
    return done
