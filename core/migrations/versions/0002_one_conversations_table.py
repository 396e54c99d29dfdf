"""One conversations table: agent_conversations and web_conversations merged into ``conversations``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

The agent's record (owner, title, case, references, turns) and the web app's (title, submission) of the same
thread become one row. A thread only the agent knew whose proposals were already submitted or decided is
marked submitted, as the web app used to do when it first listed it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOT_PROPOSED = ("submitted", "edited", "approved", "rejected", "executed", "failed")


def _when(value: Any) -> datetime | None:
    """Web rows stored ISO text, agent rows datetimes (naive UTC on SQLite)."""
    if value is None or value == "":
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def upgrade() -> None:
    conversations = op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_conversations_owner"), "conversations", ["owner"], unique=False)
    op.create_index(op.f("ix_conversations_updated_at"), "conversations", ["updated_at"], unique=False)

    bind = op.get_bind()
    meta = sa.MetaData()
    agent = sa.Table("agent_conversations", meta, autoload_with=bind)
    web = sa.Table("web_conversations", meta, autoload_with=bind)
    proposals = sa.Table("agent_proposals", meta, autoload_with=bind)
    rows: dict[str, dict[str, Any]] = {}
    for r in bind.execute(sa.select(agent)).mappings():
        rows[r["thread_id"]] = {
            "id": r["thread_id"],
            "owner": r["owner"],
            "title": r["title"],
            "case_type": r["case_type"],
            "references": r["references"] or {},
            "turns": r["turns"] or 0,
            "created_at": _when(r["created_at"]),
            "updated_at": _when(r["updated_at"]),
            "submitted_at": None,
        }
    for r in bind.execute(sa.select(web)).mappings():
        row = rows.setdefault(
            r["id"],
            {"id": r["id"], "owner": r["owner"], "case_type": None, "references": {}, "turns": 0},
        )
        row["title"] = r["title"]  # the web app's title is the one the analyst saw
        row["created_at"] = min(filter(None, (row.get("created_at"), _when(r["created_at"]))))
        row["updated_at"] = max(filter(None, (row.get("updated_at"), _when(r["updated_at"]))))
        row["submitted_at"] = _when(r["submitted_at"])
    submitted = {
        r[0]
        for r in bind.execute(
            sa.select(proposals.c.thread_id).where(proposals.c.status.in_(_NOT_PROPOSED)).distinct()
        )
    }
    for thread_id in submitted & rows.keys():
        if rows[thread_id]["submitted_at"] is None:
            rows[thread_id]["submitted_at"] = rows[thread_id]["updated_at"]
    if rows:
        op.bulk_insert(conversations, list(rows.values()))
    op.drop_table("agent_conversations")
    op.drop_table("web_conversations")


def downgrade() -> None:
    op.create_table(
        "agent_conversations",
        sa.Column("thread_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("case_type", sa.String(length=40), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    op.create_index(op.f("ix_agent_conversations_owner"), "agent_conversations", ["owner"], unique=False)
    op.create_table(
        "web_conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("submitted_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_web_conversations_owner"), "web_conversations", ["owner"], unique=False)
    bind = op.get_bind()
    merged = sa.Table("conversations", sa.MetaData(), autoload_with=bind)
    agent_rows, web_rows = [], []
    for r in bind.execute(sa.select(merged)).mappings():
        created, updated = _when(r["created_at"]), _when(r["updated_at"])
        submitted = _when(r["submitted_at"])
        agent_rows.append(
            {
                "thread_id": r["id"],
                "owner": r["owner"],
                "title": r["title"],
                "case_type": r["case_type"],
                "references": r["references"] or {},
                "turns": r["turns"],
                "created_at": created,
                "updated_at": updated,
            }
        )
        web_rows.append(
            {
                "id": r["id"],
                "owner": r["owner"],
                "title": r["title"],
                "created_at": created.isoformat() if created else "",
                "updated_at": updated.isoformat() if updated else "",
                "submitted_at": submitted.isoformat() if submitted else None,
            }
        )
    meta = sa.MetaData()
    if agent_rows:
        op.bulk_insert(sa.Table("agent_conversations", meta, autoload_with=bind), agent_rows)
        op.bulk_insert(sa.Table("web_conversations", meta, autoload_with=bind), web_rows)
    op.drop_index(op.f("ix_conversations_updated_at"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_owner"), table_name="conversations")
    op.drop_table("conversations")
