"""cases.answer_status / answer_reason: the latest camt.029 answer on a case, read by the decision rules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("cases")}
    with op.batch_alter_table("cases") as batch:
        if "answer_status" not in columns:
            batch.add_column(sa.Column("answer_status", sa.String(length=4), nullable=True))
        if "answer_reason" not in columns:
            batch.add_column(sa.Column("answer_reason", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("answer_reason")
        batch.drop_column("answer_status")
