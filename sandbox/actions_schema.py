"""The ``actions`` table: every approved write the payments API executed, keyed by its idempotency key."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from sandbox.schema import metadata

actions = Table(
    "actions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False),  # ACT-00000001
    Column("idempotency_key", String(100), nullable=False),
    Column("kind", String(32), nullable=False),  # core.domain.ActionKind value
    Column("args_hash", String(64), nullable=False),  # sha256 of the canonical validated arguments
    Column("args", Text, nullable=False),  # canonical JSON of the validated arguments
    Column("approval_ref", String(100), nullable=False),
    Column("payment_id", String(12), nullable=True),
    Column("case_id", String(11), nullable=True),
    Column("message_type", String(20), nullable=True),  # camt.056.001.12, pacs.004.001.11, ...
    Column("xml", Text, nullable=True),
    Column("result", Text, nullable=False),  # JSON response body returned to the caller
    Column("created_at", DateTime, nullable=False),
    Index("ux_actions_idempotency_key", "idempotency_key", unique=True),
    Index("ux_actions_id", "id", unique=True),
    Index("ix_actions_payment_id", "payment_id"),
    Index("ix_actions_case_id", "case_id"),
)
