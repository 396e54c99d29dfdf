"""risk_scores.fraud_type: the fraud team's confirmed category, read by the recall rules (UAPA vs FRAD).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("risk_scores")}
    if "fraud_type" not in columns:
        with op.batch_alter_table("risk_scores") as batch:
            batch.add_column(sa.Column("fraud_type", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_scores") as batch:
        batch.drop_column("fraud_type")
