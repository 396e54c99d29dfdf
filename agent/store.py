"""Proposals and turns in the application database (SQLAlchemy Core), shared by all workers.

Conversations live in ``core.conversations``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from core.schema import iso, metadata, utcnow

proposals = Table(
    "agent_proposals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("thread_id", String(64), nullable=False, index=True),
    Column("turn", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("args", JSON, nullable=False),
    Column("reason_code", String(16), nullable=False),
    Column("message_type", String(40)),
    Column("iso_xml", Text),
    Column("evidence_ids", JSON, nullable=False),
    Column("explanation", Text, nullable=False, default=""),
    Column("amount", Float),
    Column("currency", String(3)),
    Column("status", String(16), nullable=False, index=True),
    Column("requested_by", String(64), nullable=False),
    Column("decided_by", String(64)),
    Column("reason", Text),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("revision", Integer, nullable=False, default=0),
    Column("history", JSON, nullable=False, default=list),
    Column("result", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

turns = Table(
    "agent_turns",
    metadata,
    Column("thread_id", String(64), primary_key=True),
    Column("turn", Integer, primary_key=True),
    Column("user", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("result", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("created_at", "updated_at"):
        data[key] = iso(data.get(key))
    return data


class AgentStore:
    """Keyword-only CRUD over the agent tables; status changes are compare-and-set so workers cannot race."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # turns (what the analyst saw, so any worker can show a thread without the checkpointer)
    def save_turn(
        self, *, thread_id: str, turn: int, user: str, message: str, result: dict[str, Any] | None
    ) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(turns)
                .where(turns.c.thread_id == thread_id, turns.c.turn == turn)
                .values(result=result, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(
                    insert(turns).values(
                        thread_id=thread_id,
                        turn=turn,
                        user=user,
                        message=message,
                        result=result,
                        created_at=now,
                        updated_at=now,
                    )
                )

    def add_outcome(self, *, thread_id: str, turn: int, outcome: dict[str, Any]) -> bool:
        """Append a decision's outcome to a saved turn; the analyst's message and answer stay as they were.
        False when the turn was never saved."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(turns.c.result).where(turns.c.thread_id == thread_id, turns.c.turn == turn)
            ).first()
            if row is None:
                return False
            result = dict(row.result or {})
            result["outcomes"] = [*(result.get("outcomes") or []), outcome]
            conn.execute(
                update(turns)
                .where(turns.c.thread_id == thread_id, turns.c.turn == turn)
                .values(result=result, updated_at=utcnow())
            )
            return True

    def saved_turns(self, thread_id: str) -> set[int]:
        """The turn numbers of a thread that were saved (a turn is saved when it ran to its end)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(turns.c.turn).where(turns.c.thread_id == thread_id))
            return {r.turn for r in rows}

    def list_turns(self, thread_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(turns).where(turns.c.thread_id == thread_id).order_by(turns.c.turn))
            return [_row(r) for r in rows]

    # proposals
    def add_proposal(self, proposal: dict[str, Any]) -> bool:
        """Insert a proposal; False when it already exists (the propose node re-ran)."""
        now = utcnow()
        values = {c.name: proposal[c.name] for c in proposals.columns if c.name in proposal}
        values.update(created_at=now, updated_at=now, history=[], revision=0)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(proposals).values(**values))
            return True
        except IntegrityError:
            return False

    def get_proposal(self, proposal_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(proposals).where(proposals.c.id == proposal_id)).first()
        return _row(row) if row else None

    def list_proposals(
        self,
        *,
        thread_id: str | None = None,
        statuses: tuple[str, ...] | None = None,
        turn: int | None = None,
    ) -> list[dict[str, Any]]:
        stmt = select(proposals).order_by(proposals.c.created_at, proposals.c.id)
        if thread_id:
            stmt = stmt.where(proposals.c.thread_id == thread_id)
        if statuses:
            stmt = stmt.where(proposals.c.status.in_(statuses))
        if turn is not None:
            stmt = stmt.where(proposals.c.turn == turn)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def transition(
        self,
        proposal_id: str,
        *,
        expected: tuple[str, ...],
        history_event: dict[str, Any] | None = None,
        **fields: Any,
    ) -> bool:
        """Set fields only if the status is still one of ``expected``; False when another worker won."""
        with self.engine.begin() as conn:
            row = conn.execute(select(proposals.c.history).where(proposals.c.id == proposal_id)).first()
            if row is None:
                return False
            history = list(row.history or [])
            if history_event:
                history.append({**history_event, "at": utcnow().isoformat()})
            result = conn.execute(
                update(proposals)
                .where(proposals.c.id == proposal_id, proposals.c.status.in_(expected))
                .values(updated_at=utcnow(), history=history, **fields)
            )
            return result.rowcount == 1


def json_safe(value: Any) -> Any:
    """Round-trip through JSON so results stored in the DB and the state are plain data."""
    return json.loads(json.dumps(value, default=str))
