"""The one conversation repository: who owns which thread, its title, case and references, and submission.

The agent records every turn here and the web app lists and opens conversations from here; the LangGraph
checkpoints and ``agent_turns`` hold the content.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from core.schema import iso, metadata, utcnow

NEW_TITLE = "New conversation"

conversations_table = Table(
    "conversations",
    metadata,
    Column("id", String(64), primary_key=True),  # the agent's thread id
    Column("owner", String(64), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("case_type", String(40)),
    Column("references", JSON, nullable=False, default=dict),
    Column("turns", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class Conversation:
    """One conversation thread."""

    id: str
    owner: str
    title: str
    created_at: str
    updated_at: str
    submitted_at: str | None
    case_type: str | None = None
    references: dict[str, Any] = field(default_factory=dict)
    turns: int = 0

    def to_dict(self) -> dict[str, object]:
        """The web API's conversation object (``GET /api/conversations``)."""
        return {
            "id": self.id,
            "owner": self.owner,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "submitted_at": self.submitted_at,
        }

    def as_thread(self) -> dict[str, Any]:
        """The agent's conversation record (``AgentService.conversations()`` / ``thread()``)."""
        return {
            "thread_id": self.id,
            "owner": self.owner,
            "title": self.title,
            "case_type": self.case_type,
            "references": self.references,
            "turns": self.turns,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "submitted_at": self.submitted_at,
        }


def _conversation(row: Any) -> Conversation:
    data = dict(row._mapping)
    return Conversation(
        id=data["id"],
        owner=data["owner"],
        title=data["title"],
        created_at=iso(data["created_at"]) or "",
        updated_at=iso(data["updated_at"]) or "",
        submitted_at=iso(data["submitted_at"]),
        case_type=data["case_type"],
        references=data["references"] or {},
        turns=data["turns"],
    )


class ConversationRepository:
    """Keyword-only reads and writes of ``conversations``; reads never write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, *, owner: str, title: str) -> Conversation:
        """A new, empty thread owned by ``owner`` (the web app's "New conversation")."""
        now = utcnow()
        conversation_id = f"conv-{uuid.uuid4().hex[:16]}"
        values: dict[str, Any] = {
            "id": conversation_id,
            "owner": owner,
            "title": title.strip()[:200] or NEW_TITLE,
            "references": {},
            "turns": 0,
            "created_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(conversations_table).values(**values))
        return self.get(conversation_id) or _missing(conversation_id)

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation or None."""
        stmt = select(conversations_table).where(conversations_table.c.id == conversation_id)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return _conversation(row) if row else None

    def list(
        self,
        *,
        owner: str | None = None,
        submitted: bool | None = None,
        search: str | None = None,
        limit: int = 500,
    ) -> list[Conversation]:
        """Conversations, newest activity first (one owner's; only submitted ones; or all); ``search``: the
        title or a reference (UETR, payment id …) contains it, ignoring case."""
        table = conversations_table
        stmt = select(table).order_by(table.c.updated_at.desc()).limit(limit)
        if search and search.strip():
            needle = search.strip().lower()
            stmt = stmt.where(
                func.lower(table.c.title).contains(needle, autoescape=True)
                | func.lower(cast(table.c.references, String)).contains(needle, autoescape=True)
            )
        if owner is not None:
            stmt = stmt.where(conversations_table.c.owner == owner)
        if submitted is not None:
            col = conversations_table.c.submitted_at
            stmt = stmt.where(col.is_not(None) if submitted else col.is_(None))
        with self.engine.connect() as conn:
            return [_conversation(row) for row in conn.execute(stmt)]

    def record_turn(
        self, *, thread_id: str, owner: str, title: str, case_type: str | None, references: dict[str, Any]
    ) -> None:
        """The agent ran (part of) a turn: create the thread on its first message, else count and update it."""
        now = utcnow()
        if self.get(thread_id) is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(conversations_table).values(
                            id=thread_id,
                            owner=owner,
                            title=title[:200] or NEW_TITLE,
                            case_type=case_type,
                            references=references,
                            turns=1,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                return
            except IntegrityError:  # created by another worker at the same moment: count this turn below
                pass
        with self.engine.begin() as conn:
            conn.execute(
                update(conversations_table)
                .where(conversations_table.c.id == thread_id)
                .values(
                    case_type=case_type,
                    references=references,
                    turns=conversations_table.c.turns + 1,
                    updated_at=now,
                )
            )

    def touch(self, conversation_id: str, *, title: str | None = None, submitted: bool = False) -> None:
        """Record activity (optionally a title, or the submission to the supervisor queue)."""
        now = utcnow()
        values: dict[str, Any] = {"updated_at": now}
        if title:
            values["title"] = title[:200]
        if submitted:
            values["submitted_at"] = now
        with self.engine.begin() as conn:
            conn.execute(
                update(conversations_table)
                .where(conversations_table.c.id == conversation_id)
                .values(**values)
            )

    def mark_submitted(self, conversation_id: str) -> None:
        """The analyst submitted the thread's proposals: supervisors may now read it."""
        self.touch(conversation_id, submitted=True)


def _missing(conversation_id: str) -> Conversation:
    raise LookupError(f"conversation {conversation_id} vanished right after it was created")
