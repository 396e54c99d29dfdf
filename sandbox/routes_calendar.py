"""Calendar, SLA and FX routes: business days, cut-offs, value dates, due dates, FX rates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query

from core.domain import CURRENCY_PATTERN, CaseType
from sandbox import calendar as cal
from sandbox.queries_accounts import fx_rate
from sandbox.routes_common import ApiError, EngineDep, check_dates
from tools.models import CalendarInfo, FxRate, SlaDueDates

router = APIRouter(prefix="/v1", tags=["calendar"])

CurrencyQ = Annotated[str, Query(pattern=rf"^{CURRENCY_PATTERN}$", description="ISO 4217 code, e.g. EUR")]
T = TypeVar("T")

# SLA clocks per case type as data: (name, business days, what it means). Values follow DOMAIN.md; the
# longer windows marked (unverified) there are parameters a bank replaces with its own.
SLA_RULES: dict[CaseType, tuple[tuple[str, int, str], ...]] = {
    CaseType.CANCELLATION_RECALL: (
        ("recall_window", 10, "SEPA recall for DUPL/TECH/FRAD within 10 banking days of settlement"),
        ("answer_due", 10, "the answer to a recall is due within 10 banking days"),
    ),
    CaseType.DUPLICATE: (("recall_window", 10, "DUPL recall within 10 banking days of settlement"),),
    CaseType.FRAUD_RECALL: (
        ("recall_window", 10, "FRAD recall within 10 banking days of settlement"),
        ("app_reimbursement", 5, "UK APP reimbursement within 5 business days of the claim"),
        ("app_clock_stop_max", 35, "the APP clock can stop for at most 35 business days"),
    ),
    CaseType.CLAIM_NON_RECEIPT: (
        ("tracker_confirmation", 2, "gpi confirmation due by value date + 2 business days"),
        ("answer_due", 10, "the answer to an inquiry is due within 10 banking days"),
    ),
    CaseType.STATUS_CHASER: (
        ("tracker_confirmation", 2, "gpi confirmation due by value date + 2 business days"),
        ("chase_after", 10, "chase with pacs.028 when no answer in 10 banking days"),
    ),
    CaseType.MISSING_COVER: (("answer_due", 10, "the answer to an inquiry is due within 10 banking days"),),
    CaseType.COMPLIANCE_HOLD: (
        ("rfi_acknowledgement", 3, "an RFI is acknowledged within about 72 hours"),
        ("rfi_processing", 5, "and processed within about 48 more hours"),
    ),
    CaseType.UNABLE_TO_APPLY: (("answer_due", 10, "the answer to an inquiry is due within 10 banking days"),),
    CaseType.CHARGES: (("answer_due", 10, "the answer to an inquiry is due within 10 banking days"),),
    CaseType.VALUE_DATE: (("answer_due", 10, "the answer to an inquiry is due within 10 banking days"),),
    CaseType.WRONG_BENEFICIARY: (("recall_window", 10, "recall within 10 banking days of settlement"),),
    CaseType.AMENDMENT: (
        ("answer_due", 10, "the answer to an amendment request is due within 10 banking days"),
    ),
    CaseType.RETURN_OF_FUNDS: (("answer_due", 10, "the return is expected within 10 banking days"),),
    CaseType.GENERAL: (),
}

# Monetary limits of a scheme as bank parameters, per case type and settlement currency (DOMAIN.md: UK APP
# reimbursement from 7 October 2024). A bank replaces them with its own values; the SOP says they are parameters.
SLA_LIMITS: dict[CaseType, dict[str, tuple[tuple[str, str, str], ...]]] = {
    CaseType.FRAUD_RECALL: {
        "GBP": (
            ("app_reimbursement_cap", "85000.00", "UK APP reimbursement: at most this much per claim"),
            (
                "app_excess_max",
                "100.00",
                "UK APP reimbursement: the excess the bank may deduct (not for vulnerable customers)",
            ),
        )
    },
}


def _with_currency(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except cal.UnknownCurrency as exc:
        raise ApiError(400, "unsupported_currency", str(exc)) from exc


@router.get(
    "/calendar",
    summary="Business day, next business day, cut-off and value date",
    response_model=CalendarInfo,
    response_model_exclude_unset=True,
)
def get_calendar(
    currency: CurrencyQ,
    date_: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
    received_at: Annotated[datetime | None, Query(description="Instruction receipt time (UTC)")] = None,
) -> dict[str, Any]:
    """Calendar facts for a currency and day; the value date of an instruction received at ``received_at``."""

    check_dates(date=date_, received_at=received_at)

    def build() -> dict[str, Any]:
        calendar = cal.get_calendar(currency)
        received = received_at or datetime.combine(date_, time(12, 0))
        if received.tzinfo is not None:
            received = received.astimezone(UTC).replace(tzinfo=None)
        return {
            "currency": currency,
            "date": date_.isoformat(),
            "system": calendar.system,
            "is_business_day": cal.is_business_day(currency, date_),
            "holiday": cal.holiday_name(currency, date_),
            "next_business_day": cal.next_business_day(currency, date_).isoformat(),
            "cutoff_local": calendar.cutoff.strftime("%H:%M"),
            "timezone": calendar.timezone,
            "cutoff_utc": cal.cutoff_utc(currency, date_).isoformat(),
            "received_at": received.isoformat(),
            "value_date": cal.value_date_for(currency, received).isoformat(),
        }

    return _with_currency(build)


@router.get(
    "/calendar/sla",
    summary="SLA due dates for a case type",
    response_model=SlaDueDates,
    response_model_exclude_unset=True,
)
def get_sla(
    case_type: CaseType,
    start: Annotated[date, Query(description="Start of the clock (e.g. settlement or value date)")],
    currency: CurrencyQ = "EUR",
) -> dict[str, Any]:
    """Due dates of every SLA clock of the case type, counted in the currency's business days."""
    check_dates(start=start)

    def build() -> dict[str, Any]:
        due = [
            {
                "name": name,
                "business_days": days,
                "due_date": cal.sla_due_date(currency, start, days).isoformat(),
                "rule": rule,
            }
            for name, days, rule in SLA_RULES.get(case_type, ())
        ]
        limits = [
            {"name": name, "amount": amount, "currency": currency, "rule": rule}
            for name, amount, rule in SLA_LIMITS.get(case_type, {}).get(currency, ())
        ]
        return {
            "case_type": case_type.value,
            "start": start.isoformat(),
            "currency": currency,
            "due": due,
            "limits": limits,
        }

    return _with_currency(build)


@router.get("/fx", summary="FX rate on a date", response_model=FxRate, response_model_exclude_unset=True)
def get_fx(
    engine: EngineDep,
    base: CurrencyQ,
    quote: CurrencyQ,
    date_: Annotated[date, Query(alias="date", description="YYYY-MM-DD")],
) -> dict[str, Any]:
    """1 base = rate quote on the date (or the latest earlier fixing)."""
    check_dates(date=date_)
    with engine.connect() as conn:
        return fx_rate(conn, base, quote, date_)
