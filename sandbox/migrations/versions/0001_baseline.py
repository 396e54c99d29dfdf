"""Baseline: the payments sandbox tables (banks … seed_info) and the approved actions.

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
    if not _exists("accounts"):
        op.create_table(
            "accounts",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("iban", sa.String(length=34), nullable=True),
            sa.Column("account_number", sa.String(length=34), nullable=False),
            sa.Column("customer_id", sa.String(length=16), nullable=False),
            sa.Column("bank_bic", sa.String(length=11), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("holder_name", sa.String(length=140), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("opened_on", sa.Date(), nullable=False),
            sa.Column("closed_on", sa.Date(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
    if not _exists("actions"):
        op.create_table(
            "actions",
            sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("idempotency_key", sa.String(length=100), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("args_hash", sa.String(length=64), nullable=False),
            sa.Column("args", sa.Text(), nullable=False),
            sa.Column("approval_ref", sa.String(length=100), nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=True),
            sa.Column("case_id", sa.String(length=11), nullable=True),
            sa.Column("message_type", sa.String(length=20), nullable=True),
            sa.Column("xml", sa.Text(), nullable=True),
            sa.Column("result", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )
        op.create_index("ix_actions_case_id", "actions", ["case_id"], unique=False)
        op.create_index("ix_actions_payment_id", "actions", ["payment_id"], unique=False)
        op.create_index("ux_actions_id", "actions", ["id"], unique=True)
        op.create_index("ux_actions_idempotency_key", "actions", ["idempotency_key"], unique=True)
    if not _exists("banks"):
        op.create_table(
            "banks",
            sa.Column("bic", sa.String(length=11), nullable=False),
            sa.Column("name", sa.String(length=120), nullable=False),
            sa.Column("country", sa.String(length=2), nullable=False),
            sa.Column("city", sa.String(length=80), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("gpi", sa.Boolean(), nullable=False),
            sa.Column("timezone", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("bic"),
        )
    if not _exists("cases"):
        op.create_table(
            "cases",
            sa.Column("id", sa.String(length=11), nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=True),
            sa.Column("case_type", sa.String(length=32), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("opened_at", sa.DateTime(), nullable=False),
            sa.Column("closed_at", sa.DateTime(), nullable=True),
            sa.Column("resolution_code", sa.String(length=8), nullable=True),
            sa.Column("summary", sa.String(length=500), nullable=False),
            sa.Column("assigned_to", sa.String(length=40), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_cases_payment_id", "cases", ["payment_id"], unique=False)
        op.create_index("ix_cases_status", "cases", ["status", "case_type"], unique=False)
    if not _exists("customers"):
        op.create_table(
            "customers",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("name", sa.String(length=140), nullable=False),
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column("country", sa.String(length=2), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if not _exists("fx_rates"):
        op.create_table(
            "fx_rates",
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("base", sa.String(length=3), nullable=False),
            sa.Column("quote", sa.String(length=3), nullable=False),
            sa.Column("rate", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("date", "base", "quote"),
        )
    if not _exists("holds"):
        op.create_table(
            "holds",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=False),
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("reason", sa.String(length=200), nullable=False),
            sa.Column("placed_at", sa.DateTime(), nullable=False),
            sa.Column("released_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_holds_payment_id", "holds", ["payment_id"], unique=False)
        op.create_index("ix_holds_status", "holds", ["status"], unique=False)
    if not _exists("payments"):
        op.create_table(
            "payments",
            sa.Column("id", sa.String(length=12), nullable=False),
            sa.Column("uetr", sa.String(length=36), nullable=False),
            sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
            sa.Column("instr_id", sa.String(length=35), nullable=False),
            sa.Column("msg_id", sa.String(length=35), nullable=False),
            sa.Column("tx_id", sa.String(length=35), nullable=False),
            sa.Column("message_type", sa.String(length=16), nullable=False),
            sa.Column("debtor_name", sa.String(length=140), nullable=False),
            sa.Column("debtor_account", sa.String(length=34), nullable=False),
            sa.Column("debtor_agent_bic", sa.String(length=11), nullable=False),
            sa.Column("debtor_country", sa.String(length=2), nullable=False),
            sa.Column("creditor_name", sa.String(length=140), nullable=False),
            sa.Column("creditor_account", sa.String(length=34), nullable=False),
            sa.Column("creditor_agent_bic", sa.String(length=11), nullable=False),
            sa.Column("creditor_country", sa.String(length=2), nullable=False),
            sa.Column("intermediary_bics", sa.Text(), nullable=False),
            sa.Column("instructed_amount", sa.Numeric(precision=18, scale=2), nullable=False),
            sa.Column("instructed_currency", sa.String(length=3), nullable=False),
            sa.Column("settled_amount", sa.Numeric(precision=18, scale=2), nullable=True),
            sa.Column("settled_currency", sa.String(length=3), nullable=False),
            sa.Column("fx_rate", sa.Float(), nullable=True),
            sa.Column("charge_bearer", sa.String(length=4), nullable=False),
            sa.Column("requested_execution_date", sa.Date(), nullable=False),
            sa.Column("value_date", sa.Date(), nullable=True),
            sa.Column("settlement_at", sa.DateTime(), nullable=True),
            sa.Column("status", sa.String(length=4), nullable=False),
            sa.Column("status_reason", sa.String(length=4), nullable=True),
            sa.Column("remittance_info", sa.String(length=140), nullable=True),
            sa.Column("purpose", sa.String(length=4), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("scenario_id", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_payments_created_at", "payments", ["created_at"], unique=False)
        op.create_index(
            "ix_payments_creditor_account", "payments", ["creditor_account", "created_at"], unique=False
        )
        op.create_index(
            "ix_payments_debtor_account", "payments", ["debtor_account", "created_at"], unique=False
        )
        op.create_index(
            "ix_payments_duplicate_key",
            "payments",
            ["debtor_account", "creditor_account", "instructed_amount"],
            unique=False,
        )
        op.create_index("ix_payments_end_to_end_id", "payments", ["end_to_end_id"], unique=True)
        op.create_index("ix_payments_scenario_id", "payments", ["scenario_id"], unique=False)
        op.create_index("ix_payments_status", "payments", ["status", "status_reason"], unique=False)
        op.create_index("ix_payments_uetr", "payments", ["uetr"], unique=True)
    if not _exists("returns"):
        op.create_table(
            "returns",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=False),
            sa.Column("original_payment_id", sa.String(length=12), nullable=False),
            sa.Column("reason_code", sa.String(length=4), nullable=False),
            sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("returned_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_returns_original_payment_id", "returns", ["original_payment_id"], unique=False)
        op.create_index("ix_returns_payment_id", "returns", ["payment_id"], unique=False)
    if not _exists("risk_scores"):
        op.create_table(
            "risk_scores",
            sa.Column("payment_id", sa.String(length=12), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("flags", sa.Text(), nullable=False),
            sa.Column("model_version", sa.String(length=40), nullable=False),
            sa.PrimaryKeyConstraint("payment_id"),
        )
    if not _exists("screening_hits"):
        op.create_table(
            "screening_hits",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=False),
            sa.Column("list_name", sa.String(length=40), nullable=False),
            sa.Column("matched_name", sa.String(length=140), nullable=False),
            sa.Column("party", sa.String(length=10), nullable=False),
            sa.Column("score", sa.Float(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("resolved_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_screening_hits_payment_id", "screening_hits", ["payment_id"], unique=False)
    if not _exists("seed_info"):
        op.create_table(
            "seed_info",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("seed", sa.Integer(), nullable=False),
            sa.Column("payments", sa.Integer(), nullable=False),
            sa.Column("generator_version", sa.String(length=20), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("elapsed_seconds", sa.Float(), nullable=False),
            sa.Column("counts", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if not _exists("tracker_events"):
        op.create_table(
            "tracker_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("payment_id", sa.String(length=12), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("agent_bic", sa.String(length=11), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("forwarded_at", sa.DateTime(), nullable=True),
            sa.Column("status", sa.String(length=4), nullable=False),
            sa.Column("reason", sa.String(length=4), nullable=True),
            sa.Column("charges_amount", sa.Numeric(precision=18, scale=2), nullable=True),
            sa.Column("charges_currency", sa.String(length=3), nullable=True),
            sa.Column("fx_rate", sa.Float(), nullable=True),
            sa.Column("forwarded_to_bic", sa.String(length=11), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_tracker_events_payment_id", "tracker_events", ["payment_id", "seq"], unique=False)


def downgrade() -> None:
    op.drop_table("tracker_events")
    op.drop_table("seed_info")
    op.drop_table("screening_hits")
    op.drop_table("risk_scores")
    op.drop_table("returns")
    op.drop_table("payments")
    op.drop_table("holds")
    op.drop_table("fx_rates")
    op.drop_table("customers")
    op.drop_table("cases")
    op.drop_table("banks")
    op.drop_table("actions")
    op.drop_table("accounts")
