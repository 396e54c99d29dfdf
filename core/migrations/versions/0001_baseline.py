"""Baseline: users, sessions, audit log, controls, conversations, proposals and turns.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

The schema as it was before migrations existed. A database those earlier versions created (tables made on
first use, some possibly missing) is adopted as it is: each table is created only when it is not there yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.migrate import table_exists

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


_exists = table_exists


def upgrade() -> None:
    if not _exists("agent_conversations"):
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
    if not _exists("agent_proposals"):
        op.create_table(
            "agent_proposals",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("thread_id", sa.String(length=64), nullable=False),
            sa.Column("turn", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=False),
            sa.Column("args", sa.JSON(), nullable=False),
            sa.Column("reason_code", sa.String(length=16), nullable=False),
            sa.Column("message_type", sa.String(length=40), nullable=True),
            sa.Column("iso_xml", sa.Text(), nullable=True),
            sa.Column("evidence_ids", sa.JSON(), nullable=False),
            sa.Column("explanation", sa.Text(), nullable=False),
            sa.Column("amount", sa.Float(), nullable=True),
            sa.Column("currency", sa.String(length=3), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("requested_by", sa.String(length=64), nullable=False),
            sa.Column("decided_by", sa.String(length=64), nullable=True),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("idempotency_key", sa.String(length=64), nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("history", sa.JSON(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("idempotency_key"),
        )
        op.create_index(op.f("ix_agent_proposals_status"), "agent_proposals", ["status"], unique=False)
        op.create_index(op.f("ix_agent_proposals_thread_id"), "agent_proposals", ["thread_id"], unique=False)
    if not _exists("agent_turns"):
        op.create_table(
            "agent_turns",
            sa.Column("thread_id", sa.String(length=64), nullable=False),
            sa.Column("turn", sa.Integer(), nullable=False),
            sa.Column("user", sa.String(length=64), nullable=False),
            sa.Column("message", sa.Text(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("thread_id", "turn"),
        )
    if not _exists("audit_events"):
        op.create_table(
            "audit_events",
            sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("ts", sa.String(length=40), nullable=False),
            sa.Column("event_type", sa.String(length=64), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=True),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("refs", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
            sa.UniqueConstraint("prev_hash", name="uq_audit_prev_hash"),
        )
        op.create_index("ix_audit_actor", "audit_events", ["actor"], unique=False)
        op.create_index("ix_audit_conversation", "audit_events", ["conversation_id"], unique=False)
        op.create_index("ix_audit_ts", "audit_events", ["ts"], unique=False)
        op.create_index("ix_audit_type", "audit_events", ["event_type"], unique=False)
    if not _exists("audit_head"):
        op.create_table(
            "audit_head",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if not _exists("controls"):
        op.create_table(
            "controls",
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            sa.Column("updated_by", sa.String(length=64), nullable=False),
            sa.Column("updated_at", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
    if not _exists("sessions"):
        op.create_table(
            "sessions",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=32), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.String(length=40), nullable=False),
            sa.Column("expires_at", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        op.create_index(op.f("ix_sessions_username"), "sessions", ["username"], unique=False)
    if not _exists("users"):
        op.create_table(
            "users",
            sa.Column("username", sa.String(length=32), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("approval_limit_eur", sa.Float(), nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.String(length=40), nullable=True),
            sa.Column("created_at", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("username"),
        )
    if not _exists("web_conversations"):
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


def downgrade() -> None:
    op.drop_table("web_conversations")
    op.drop_table("users")
    op.drop_table("sessions")
    op.drop_table("controls")
    op.drop_table("audit_head")
    op.drop_table("audit_events")
    op.drop_table("agent_turns")
    op.drop_table("agent_proposals")
    op.drop_table("agent_conversations")
