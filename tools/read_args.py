"""Argument schemas and one-line descriptions of the read tools, short enough for a 1.5B model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.domain import CURRENCY_PATTERN, CaseType
from tools.models import REFERENCE_PATTERN, Clean

Ref = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=64, pattern=REFERENCE_PATTERN),
    Field(description="UETR, EndToEndId (E2E-...) or payment id (PAY-00000000)"),
]
Ccy = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=rf"^{CURRENCY_PATTERN}$"),
    Field(description="ISO currency code, e.g. EUR"),
]
AccountStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=42),
    Field(description="IBAN or account number"),
]


class _ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferenceArgs(_ToolArgs):
    """Arguments of the tools that take one payment reference."""

    reference: Ref


class SearchArgs(_ToolArgs):
    """Payment search filters (at least one)."""

    amount_min: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))] | None = None
    amount_max: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))] | None = None
    currency: Ccy | None = None
    date_from: date | None = Field(default=None, description="YYYY-MM-DD")
    date_to: date | None = Field(default=None, description="YYYY-MM-DD")
    party: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=140)] | None = (
        Field(default=None, description="Debtor or creditor name or account")
    )
    status: Literal["ACSP", "ACCC", "RJCT"] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class AccountArgs(_ToolArgs):
    """An account to look up."""

    account: AccountStr


class VerifyPayeeArgs(_ToolArgs):
    """An account and the payee name to check against it."""

    account: AccountStr
    name: Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=140)]


class DuplicatesArgs(_ToolArgs):
    """A payment and the window to search for duplicates."""

    reference: Ref
    days: Annotated[int, Field(ge=0, le=30)] = 5


class CalendarArgs(_ToolArgs):
    """A currency and a day."""

    currency: Ccy
    date: date


class SlaArgs(_ToolArgs):
    """A case type, the clock start and the currency whose business days count."""

    case_type: CaseType
    start: date
    currency: Ccy = "EUR"


class FxArgs(_ToolArgs):
    """A currency pair and a day."""

    base: Ccy
    quote: Ccy
    date: date


class CompensationArgs(_ToolArgs):
    """A payment, the corrected value date and optionally the annual rate."""

    reference: Ref
    corrected_value_date: date
    annual_rate: Annotated[Decimal, Field(ge=0, le=1)] | None = Field(default=None, description="e.g. 0.03")


READ_TOOL_SPECS: dict[str, tuple[type[_ToolArgs], str]] = {
    "get_payment": (ReferenceArgs, "Look up a payment: status, amount, parties, agents, value date."),
    "search_payments": (SearchArgs, "Search payments by amount range, currency, dates, party or status."),
    "get_tracker": (ReferenceArgs, "gpi tracker: hops, status reason codes, charges, where it stopped."),
    "get_screening": (ReferenceArgs, "Sanctions/AML screening hits and holds of a payment."),
    "get_account": (AccountArgs, "Look up an account by IBAN or account number."),
    "verify_payee": (
        VerifyPayeeArgs,
        "Check a payee name against an account: match, close_match or no_match.",
    ),
    "find_duplicates": (DuplicatesArgs, "Find possible duplicates of a payment (same accounts and amount)."),
    "get_cases": (ReferenceArgs, "Investigation cases already opened for a payment."),
    "get_calendar": (CalendarArgs, "Business day, next business day, cut-off and value date for a currency."),
    "get_sla": (SlaArgs, "SLA due dates for a case type from a start date."),
    "get_fx_rate": (FxArgs, "FX rate between two currencies on a date."),
    "compute_compensation": (CompensationArgs, "Value-date interest owed for a corrected value date."),
    "get_risk_signals": (ReferenceArgs, "Anomaly score and red flags of a payment."),
}
