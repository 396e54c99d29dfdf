"""Audit events record the canonicalisation of their hash: RFC 8785 from now on, the old scheme before.

Existing rows are not rehashed: they get ``json-sorted-v1`` and keep verifying; the next event links to the
current head and is hashed over RFC 8785 canonical JSON (core.audit_hash, docs/audit.md).

Revision ID: 0007_audit_canon
Revises: 0006_eval_candidates
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_canon"
down_revision = "0006_eval_candidates"
branch_labels = None
depends_on = None


def _has_column(table: str, column: str) -> bool:
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if not _has_column("audit_events", "canon"):
        op.add_column(
            "audit_events",
            sa.Column("canon", sa.String(length=16), nullable=False, server_default="json-sorted-v1"),
        )


def downgrade() -> None:
    # Events hashed over RFC 8785 no longer verify once the column is gone: downgrade only an unused log.
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("canon")
