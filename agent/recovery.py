"""Nothing lost, nothing stranded: proposals of turns that never finished, approved work that cannot run.

A proposal row is written by the propose node, before its turn is saved; a turn that dies (a crash, a
failed run) would leave a proposal nobody saw, which could be submitted and approved and then never execute.
So a proposal stands only with its saved turn (others are rejected by ``system``), and an approved proposal
whose thread has nothing left to resume ends ``failed`` with an ``agent.execution_failed`` audit event, never
``approved`` forever.
"""

from __future__ import annotations

from typing import Any

from agent.service_support import AuditSink
from agent.store import AgentStore

TURN_LOST = "the turn that made this proposal did not finish; ask again"
NOT_EXECUTABLE = "approved, but its conversation has nothing left to resume: it was not executed"


def discard_unsaved(
    store: AgentStore, audit: AuditSink, *, thread_id: str, turn: int | None = None
) -> list[str]:
    """Reject the ``proposed`` proposals of ``thread_id`` (of one ``turn``) whose turn was never saved."""
    saved = store.saved_turns(thread_id)
    dropped = []
    for row in store.list_proposals(thread_id=thread_id, turn=turn, statuses=("proposed",)):
        if row["turn"] in saved:
            continue
        if store.transition(
            row["id"],
            expected=("proposed",),
            status="rejected",
            decided_by="system",
            reason=TURN_LOST,
            history_event={"event": "turn_lost"},
        ):
            dropped.append(row["id"])
    if dropped:
        audit.record(
            {"type": "proposal_discarded", "data": {"proposal_ids": dropped, "reason": TURN_LOST}},
            actor="system",
            thread_id=thread_id,
        )
    return dropped


def fail_stranded(store: AgentStore, audit: AuditSink, *, thread_id: str, actor: str) -> list[str]:
    """Mark ``failed`` the approved proposals of a thread that can no longer resume (visible, audited)."""
    failed = []
    for row in store.list_proposals(thread_id=thread_id, statuses=("approved",)):
        result: dict[str, Any] = {"error": "not_executable", "message": NOT_EXECUTABLE}
        if store.transition(
            row["id"],
            expected=("approved",),
            status="failed",
            result=result,
            history_event={"event": "failed"},
        ):
            failed.append(row["id"])
            audit.record(
                {
                    "type": "execution_failed",
                    "data": {"proposal_id": row["id"], "status": "failed", "result": result},
                },
                actor=actor,
                thread_id=thread_id,
            )
    return failed
