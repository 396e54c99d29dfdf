"""SQLAlchemy Core tables of the payments sandbox database (SQLite or Postgres via psycopg 3).

Timestamps are naive UTC (``DateTime``); dates are ``Date``; amounts are ``Numeric(18, 2)``; lists and
dicts stored as text are JSON. Column names are a contract with the payments API: add, never rename.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

from core.db import get_engine
from core.migrate import MigratedDatabase, upgrade

metadata = MetaData()

AMOUNT = Numeric(18, 2)

banks = Table(
    "banks",
    metadata,
    Column("bic", String(11), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("country", String(2), nullable=False),
    Column("city", String(80), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gpi", Boolean, nullable=False),
    Column("timezone", String(40), nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(16), primary_key=True),  # CUST-0000001
    Column("name", String(140), nullable=False),
    Column("kind", String(10), nullable=False),  # person | business
    Column("country", String(2), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(16), primary_key=True),  # ACC-00000001
    Column("iban", String(34), nullable=True),  # None where the country has no IBAN (US, JP, SG)
    Column("account_number", String(34), nullable=False),  # local number (BBAN for IBAN countries)
    Column("customer_id", String(16), nullable=False),
    Column("bank_bic", String(11), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("holder_name", String(140), nullable=False),
    Column("status", String(10), nullable=False),  # active | closed | blocked
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(12), primary_key=True),  # PAY-00000001
    Column("uetr", String(36), nullable=False),
    Column("end_to_end_id", String(35), nullable=False),  # E2E-...
    Column("instr_id", String(35), nullable=False),
    Column("msg_id", String(35), nullable=False),
    Column("tx_id", String(35), nullable=False),
    Column("message_type", String(16), nullable=False),  # pacs.008 (customer credit transfer)
    Column("debtor_name", String(140), nullable=False),
    Column("debtor_account", String(34), nullable=False),  # IBAN or local account number
    Column("debtor_agent_bic", String(11), nullable=False),
    Column("debtor_country", String(2), nullable=False),
    Column("creditor_name", String(140), nullable=False),
    Column("creditor_account", String(34), nullable=False),
    Column("creditor_agent_bic", String(11), nullable=False),
    Column("creditor_country", String(2), nullable=False),
    Column("intermediary_bics", Text, nullable=False),  # JSON list of 0-3 BICs, in path order
    Column("instructed_amount", AMOUNT, nullable=False),
    Column("instructed_currency", String(3), nullable=False),
    Column("settled_amount", AMOUNT, nullable=True),  # amount credited to the creditor (after charges/FX)
    Column("settled_currency", String(3), nullable=False),
    Column("fx_rate", Float, nullable=True),  # instructed -> settled currency; None when same currency
    Column("charge_bearer", String(4), nullable=False),  # DEBT | CRED | SHAR | SLEV
    Column("requested_execution_date", Date, nullable=False),
    Column("value_date", Date, nullable=True),  # None while not settled
    Column("settlement_at", DateTime, nullable=True),  # UTC; None while not settled
    Column("status", String(4), nullable=False),  # ACSP | ACCC | RJCT
    Column("status_reason", String(4), nullable=True),  # G000-G006 while ACSP/ACCC, reject code for RJCT
    Column("remittance_info", String(140), nullable=True),  # untrusted free text
    Column("purpose", String(4), nullable=True),  # ISO purpose code (SUPP, SALA, GDDS, ...)
    Column("created_at", DateTime, nullable=False),  # UTC time the debtor agent received the instruction
    Column("scenario_id", String(64), nullable=True),  # named scenario this payment belongs to, if any
    Index("ix_payments_uetr", "uetr", unique=True),
    Index("ix_payments_end_to_end_id", "end_to_end_id", unique=True),
    Index("ix_payments_debtor_account", "debtor_account", "created_at"),
    Index("ix_payments_creditor_account", "creditor_account", "created_at"),
    Index("ix_payments_duplicate_key", "debtor_account", "creditor_account", "instructed_amount"),
    Index("ix_payments_created_at", "created_at"),
    Index("ix_payments_status", "status", "status_reason"),
    Index("ix_payments_scenario_id", "scenario_id"),
)

tracker_events = Table(
    "tracker_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payment_id", String(12), nullable=False),
    Column("seq", Integer, nullable=False),  # 1 = debtor agent, then one per hop in path order
    Column("agent_bic", String(11), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("forwarded_at", DateTime, nullable=True),  # None when the payment stopped at this agent
    Column("status", String(4), nullable=False),  # ACSP | ACCC | RJCT
    Column("reason", String(4), nullable=True),  # G000.. or reject code
    Column("charges_amount", AMOUNT, nullable=True),  # charges this agent deducted
    Column("charges_currency", String(3), nullable=True),
    Column("fx_rate", Float, nullable=True),  # FX applied by this agent, if any
    Column("forwarded_to_bic", String(11), nullable=True),
    Index("ix_tracker_events_payment_id", "payment_id", "seq"),
)

screening_hits = Table(
    "screening_hits",
    metadata,
    Column("id", String(16), primary_key=True),  # HIT-00000001
    Column("payment_id", String(12), nullable=False),
    Column("list_name", String(40), nullable=False),  # e.g. OFAC-SDN, EU-CONSOLIDATED, UK-HMT, INTERNAL-AML
    Column("matched_name", String(140), nullable=False),
    Column("party", String(10), nullable=False),  # debtor | creditor
    Column("score", Float, nullable=False),  # 0..1 fuzzy match score
    Column("status", String(10), nullable=False),  # open | cleared | confirmed
    Column("created_at", DateTime, nullable=False),
    Column("resolved_at", DateTime, nullable=True),
    Index("ix_screening_hits_payment_id", "payment_id"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", String(16), primary_key=True),  # HOLD-0000001
    Column("payment_id", String(12), nullable=False),
    Column("kind", String(10), nullable=False),  # sanctions | aml | fraud
    Column("status", String(10), nullable=False),  # active | released
    Column("reason", String(200), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Column("released_at", DateTime, nullable=True),
    Index("ix_holds_payment_id", "payment_id"),
    Index("ix_holds_status", "status"),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(16), primary_key=True),  # RET-00000001 (pacs.004 RtrId)
    Column("payment_id", String(12), nullable=False),  # the payment whose funds came back
    Column("original_payment_id", String(12), nullable=False),  # the first of a duplicate pair, else same
    Column("reason_code", String(4), nullable=False),  # AC01, AC04, AC06, AM05, FOCR, FR01, MS03, ...
    Column("amount", AMOUNT, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("returned_at", DateTime, nullable=False),
    Index("ix_returns_payment_id", "payment_id"),
    Index("ix_returns_original_payment_id", "original_payment_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(11), primary_key=True),  # CASE-000001
    Column("payment_id", String(12), nullable=True),
    Column("case_type", String(32), nullable=False),  # core.domain.CaseType value
    Column("status", String(10), nullable=False),  # open | closed
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    Column("resolution_code", String(8), nullable=True),
    Column("summary", String(500), nullable=False),
    Column("assigned_to", String(40), nullable=True),
    # The latest answer received on the case (camt.029 status and reason, e.g. RJCR + CUST or UM14): the
    # structured field the decision rules read, where the summary is free text they never read.
    Column("answer_status", String(4), nullable=True),
    Column("answer_reason", String(4), nullable=True),
    Index("ix_cases_payment_id", "payment_id"),
    Index("ix_cases_status", "status", "case_type"),
)

fx_rates = Table(
    "fx_rates",
    metadata,
    Column("date", Date, primary_key=True),
    Column("base", String(3), primary_key=True),
    Column("quote", String(3), primary_key=True),
    Column("rate", Float, nullable=False),  # 1 base = rate quote
)

risk_scores = Table(
    "risk_scores",
    metadata,
    Column("payment_id", String(12), primary_key=True),
    Column("score", Float, nullable=False),  # 0 (normal) .. 1 (most anomalous)
    Column("flags", Text, nullable=False),  # JSON list of plain-language red flags
    Column("model_version", String(40), nullable=False),
    # Confirmed fraud category (account_takeover | app_scam | invoice_redirection), set by the fraud team; the
    # model never sets it. Structured, so the recall rules can choose UAPA (unauthorised) or FRAD from it.
    Column("fraud_type", String(20), nullable=True),
)

seed_info = Table(
    "seed_info",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("seed", Integer, nullable=False),
    Column("payments", Integer, nullable=False),  # requested random payments (scenarios come on top)
    Column("generator_version", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("elapsed_seconds", Float, nullable=False),
    Column("counts", Text, nullable=False),  # JSON {table: rows}
)

SANDBOX_TABLES = (
    banks,
    customers,
    accounts,
    payments,
    tracker_events,
    screening_hits,
    holds,
    returns,
    cases,
    fx_rates,
    risk_scores,
    seed_info,
)


PAYMENTS_DATABASE = MigratedDatabase(
    "payments",
    "sandbox:migrations",
    "alembic_version_payments",
    settings_url="payments_db_url",
    foreign_keys=False,
)


def upgrade_payments_db(engine: Engine) -> Engine:
    """Migrate the payments database behind ``engine`` to head (once per process) and return it."""
    upgrade(engine, PAYMENTS_DATABASE)
    return engine


def get_payments_engine(url: str) -> Engine:
    """The payments database's engine (shared per URL): the bulk loader inserts without SQLite foreign keys."""
    return get_engine(url, foreign_keys=False)


def open_payments_db(url: str) -> Engine:
    """The payments database's engine, migrated to head."""
    return upgrade_payments_db(get_payments_engine(url))
