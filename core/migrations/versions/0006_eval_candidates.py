"""Evaluation candidates from analysts' feedback (thumbs-down, corrected case type), reviewed by an admin.

Revision ID: 0006_eval_candidates
Revises: 0005_obs
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_eval_candidates"
down_revision = "0005_obs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("eval_candidates"):
        return
    op.create_table(
        "eval_candidates",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("observed", sa.Text(), nullable=False),
        sa.Column("what_was_wrong", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_eval_candidates_status", "eval_candidates", ["status"])


def downgrade() -> None:
    op.drop_index("ix_eval_candidates_status", table_name="eval_candidates")
    op.drop_table("eval_candidates")
