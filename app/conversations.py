"""Who owns which conversation thread, and which threads were submitted for approval."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.schema import metadata

web_conversations = Table(
    "web_conversations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(32), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("submitted_at", String(40), nullable=True),
)


@dataclass(frozen=True)
class Conversation:
    """A conversation as listed in the UI."""

    id: str
    owner: str
    title: str
    created_at: str
    updated_at: str
    submitted_at: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ConversationStore:
    """Ownership records of conversation threads (the agent checkpoints hold the content)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, *, owner: str, title: str) -> Conversation:
        """A new thread owned by ``owner``."""
        now = _now()
        conv = Conversation(
            f"conv-{uuid.uuid4().hex[:16]}", owner, title.strip() or "New conversation", now, now, None
        )
        with self.engine.begin() as conn:
            conn.execute(insert(web_conversations).values(**conv.to_dict()))
        return conv

    def adopt(self, *, conversation_id: str, owner: str, title: str, submitted: bool = False) -> Conversation:
        """Record a thread the agent started elsewhere (``payinvest ask``, another client) under its owner."""
        existing = self.get(conversation_id)
        if existing is not None:
            return existing
        now = _now()
        conv = Conversation(
            conversation_id, owner, (title or "Conversation")[:200], now, now, now if submitted else None
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(web_conversations).values(**conv.to_dict()))
        except IntegrityError:  # adopted by another request at the same moment
            pass
        return self.get(conversation_id) or conv

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(web_conversations).where(web_conversations.c.id == conversation_id)
            ).first()
        return Conversation(**row._mapping) if row else None

    def list(self, *, owner: str | None = None, submitted: bool | None = None) -> list[Conversation]:
        """Conversations, newest activity first."""
        stmt = select(web_conversations).order_by(web_conversations.c.updated_at.desc())
        if owner is not None:
            stmt = stmt.where(web_conversations.c.owner == owner)
        if submitted is not None:
            col = web_conversations.c.submitted_at
            stmt = stmt.where(col.is_not(None) if submitted else col.is_(None))
        with self.engine.connect() as conn:
            return [Conversation(**row._mapping) for row in conn.execute(stmt.limit(500))]

    def touch(self, conversation_id: str, *, title: str | None = None, submitted: bool = False) -> None:
        """Record activity (and optionally the first message as title, or a submission)."""
        values: dict[str, str] = {"updated_at": _now()}
        if title:
            values["title"] = title[:200]
        if submitted:
            values["submitted_at"] = values["updated_at"]
        with self.engine.begin() as conn:
            conn.execute(
                update(web_conversations).where(web_conversations.c.id == conversation_id).values(**values)
            )
