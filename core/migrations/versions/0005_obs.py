"""Releases: gated manifests and the promotions and rollbacks that choose the serving one.

Revision ID: 0005_obs
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.migrate import table_exists

revision = "0005_obs"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not table_exists("releases"):
        op.create_table(
            "releases",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("manifest", sa.Text(), nullable=False),
            sa.Column("report_id", sa.String(length=64), nullable=False),
            sa.Column("report_path", sa.Text(), nullable=False),
            sa.Column("registered_by", sa.String(length=64), nullable=False),
            sa.Column("registered_at", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if not table_exists("release_events"):
        op.create_table(
            "release_events",
            sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("release_id", sa.String(length=32), nullable=False),
            sa.Column("action", sa.String(length=16), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("at", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )


def downgrade() -> None:
    op.drop_table("release_events")
    op.drop_table("releases")
