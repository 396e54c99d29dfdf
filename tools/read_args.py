"""The read tools: argument schemas, one-line descriptions (short enough for a 1.5B model) and client calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.domain import CURRENCY_PATTERN, CaseType
from tools.models import REFERENCE_PATTERN, CaseId, Clean

if TYPE_CHECKING:
    from tools.registry import PaymentSystems

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


class CaseArgs(_ToolArgs):
    """Arguments of the case lookup."""

    case_id: Annotated[CaseId, Field(description="Case id, e.g. CASE-000123")]


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


@dataclass(frozen=True)
class ReadToolSpec:
    """One read tool: its name, argument model, one-line description and the client call behind it."""

    name: str
    args: type[_ToolArgs]
    description: str
    call: Callable[[PaymentSystems, Any], Awaitable[BaseModel]]


# The one list of read tools: names, schemas, the registry's dispatch and the LangChain tools come from it.
READ_TOOLS: tuple[ReadToolSpec, ...] = (
    ReadToolSpec(
        "get_payment",
        ReferenceArgs,
        "Look up a payment: status, amount, parties, agents, value date.",
        lambda s, a: s.payments.get_payment(a.reference),
    ),
    ReadToolSpec(
        "search_payments",
        SearchArgs,
        "Search payments by amount range, currency, dates, party or status.",
        lambda s, a: s.payments.search_payments(**a.model_dump(exclude_none=True)),
    ),
    ReadToolSpec(
        "get_tracker",
        ReferenceArgs,
        "gpi tracker: hops, status reason codes, charges, where it stopped.",
        lambda s, a: s.tracker.get_tracker(a.reference),
    ),
    ReadToolSpec(
        "get_screening",
        ReferenceArgs,
        "Sanctions/AML screening hits and holds of a payment.",
        lambda s, a: s.screening.get_screening(a.reference),
    ),
    ReadToolSpec(
        "get_account",
        AccountArgs,
        "Look up an account by IBAN or account number.",
        lambda s, a: s.accounts.get_account(a.account),
    ),
    ReadToolSpec(
        "verify_payee",
        VerifyPayeeArgs,
        "Check a payee name against an account: match, close_match or no_match.",
        lambda s, a: s.accounts.verify_payee(a.account, a.name),
    ),
    ReadToolSpec(
        "find_duplicates",
        DuplicatesArgs,
        "Find possible duplicates of a payment (same accounts and amount).",
        lambda s, a: s.payments.find_duplicates(a.reference, days=a.days),
    ),
    ReadToolSpec(
        "get_cases",
        ReferenceArgs,
        "Investigation cases already opened for a payment.",
        lambda s, a: s.cases.get_cases(a.reference),
    ),
    ReadToolSpec(
        "get_case",
        CaseArgs,
        "One investigation case by its id (CASE-000123), with the payment it is about.",
        lambda s, a: s.cases.get_case(a.case_id),
    ),
    ReadToolSpec(
        "get_calendar",
        CalendarArgs,
        "Business day, next business day, cut-off and value date for a currency.",
        lambda s, a: s.calendar.get_calendar(a.currency, a.date),
    ),
    ReadToolSpec(
        "get_sla",
        SlaArgs,
        "SLA due dates for a case type from a start date.",
        lambda s, a: s.calendar.get_sla(a.case_type.value, a.start, currency=a.currency),
    ),
    ReadToolSpec(
        "get_fx_rate",
        FxArgs,
        "FX rate between two currencies on a date.",
        lambda s, a: s.calendar.get_fx_rate(a.base, a.quote, a.date),
    ),
    ReadToolSpec(
        "compute_compensation",
        CompensationArgs,
        "Value-date interest owed for a corrected value date.",
        lambda s, a: s.calendar.compute_compensation(
            a.reference, a.corrected_value_date, annual_rate=a.annual_rate
        ),
    ),
    ReadToolSpec(
        "get_risk_signals",
        ReferenceArgs,
        "Anomaly score and red flags of a payment.",
        lambda s, a: s.payments.get_risk_signals(a.reference),
    ),
)
READ_TOOL_SPECS: dict[str, ReadToolSpec] = {spec.name: spec for spec in READ_TOOLS}
READ_TOOL_NAMES: tuple[str, ...] = tuple(READ_TOOL_SPECS)
