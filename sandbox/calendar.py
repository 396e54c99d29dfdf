"""Business calendar per settlement currency: holidays, weekends, cut-offs, value dates and SLA due dates.

Holidays come from the ``holidays`` package: its *financial* calendars where one matches the settlement
system (EUR: XECB = TARGET closing days; USD: XFED = Federal Reserve / Fedwire, which stays open on the
Friday before a Saturday holiday; JPY: XJPX, which has the 31 December and 2-3 January bank holidays), and
the national bank-holiday calendar of the system's country where the package has no financial calendar for
it (GBP: England for CHAPS; CHF: Zurich for SIC; SGD: Singapore for MEPS+; AUD: New South Wales for RITS).
Cut-off times other than TARGET (EUR, 17:00 CET customer payments) and Fedwire (USD, ~18:45 ET) are
illustrative parameters, not market law: a bank replaces them with its own table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

import holidays
import numpy as np

# The sandbox clock: generated data and scenarios are dated relative to this day (a Friday).
SANDBOX_AS_OF = date(2026, 11, 20)


class UnknownCurrency(ValueError):
    """The currency has no business calendar in the sandbox."""


@dataclass(frozen=True)
class CurrencyCalendar:
    """Where a currency settles: holiday calendar, time zone and customer-payment cut-off."""

    currency: str
    system: str
    holiday_calendar: str  # a holidays financial calendar (XECB, XFED, XJPX) or an ISO country code
    subdiv: str | None
    timezone: str
    cutoff: time


CALENDARS: dict[str, CurrencyCalendar] = {
    c.currency: c
    for c in (
        CurrencyCalendar("EUR", "TARGET2 (T2)", "XECB", None, "Europe/Berlin", time(17, 0)),
        CurrencyCalendar("USD", "Fedwire Funds", "XFED", None, "America/New_York", time(18, 45)),
        CurrencyCalendar("GBP", "CHAPS", "GB", "ENG", "Europe/London", time(17, 40)),
        CurrencyCalendar("CHF", "SIC", "CH", "ZH", "Europe/Zurich", time(16, 0)),
        CurrencyCalendar("JPY", "BOJ-NET", "XJPX", None, "Asia/Tokyo", time(15, 0)),
        CurrencyCalendar("SGD", "MEPS+", "SG", None, "Asia/Singapore", time(16, 30)),
        CurrencyCalendar("AUD", "RITS", "AU", "NSW", "Australia/Sydney", time(16, 30)),
    )
}


def get_calendar(currency: str) -> CurrencyCalendar:
    """The calendar of a currency, or ``UnknownCurrency``."""
    try:
        return CALENDARS[currency.upper()]
    except KeyError as exc:
        raise UnknownCurrency(f"no business calendar for currency {currency!r}") from exc


@lru_cache(maxsize=128)
def _holidays(currency: str, year: int) -> dict[date, str]:
    cal = get_calendar(currency)
    if cal.holiday_calendar.startswith("X"):
        days = holidays.financial_holidays(cal.holiday_calendar, years=year)
    else:
        days = holidays.country_holidays(cal.holiday_calendar, subdiv=cal.subdiv, years=year)
    return dict(days)


def holiday_name(currency: str, day: date) -> str | None:
    """The holiday's name when ``day`` is a holiday of the currency's settlement system."""
    return _holidays(currency.upper(), day.year).get(day)


def is_business_day(currency: str, day: date) -> bool:
    """True on a weekday that is not a holiday of the currency's settlement system."""
    return day.weekday() < 5 and holiday_name(currency, day) is None


def next_business_day(currency: str, day: date, *, include_today: bool = False) -> date:
    """The first business day after ``day`` (or ``day`` itself when allowed and it is one)."""
    current = day if include_today else day + timedelta(days=1)
    while not is_business_day(currency, current):
        current += timedelta(days=1)
    return current


def add_business_days(currency: str, day: date, n: int) -> date:
    """``day`` moved forward by ``n`` business days (n = 0 rolls to a business day)."""
    current = next_business_day(currency, day, include_today=True)
    for _ in range(n):
        current = next_business_day(currency, current)
    return current


def business_days_between(currency: str, start: date, end: date) -> int:
    """Business days in the half-open interval (start, end]."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_business_day(currency, current)
    return count


def cutoff_utc(currency: str, day: date) -> datetime:
    """The cut-off of ``day`` as a naive UTC datetime."""
    cal = get_calendar(currency)
    local = datetime.combine(day, cal.cutoff, tzinfo=ZoneInfo(cal.timezone))
    return local.astimezone(UTC).replace(tzinfo=None)


def value_date_for(currency: str, received_at: datetime, requested: date | None = None) -> date:
    """The value date of a payment received at ``received_at`` (naive UTC): after cut-off -> next business day."""
    cal = get_calendar(currency)
    aware = received_at.replace(tzinfo=UTC) if received_at.tzinfo is None else received_at
    local = aware.astimezone(ZoneInfo(cal.timezone))
    day = local.date()
    if is_business_day(currency, day) and local.time() <= cal.cutoff:
        earliest = day
    else:
        earliest = next_business_day(currency, day)
    if requested is not None and requested > earliest:
        return next_business_day(currency, requested, include_today=True)
    return earliest


def sla_due_date(currency: str, start: date, business_days: int) -> date:
    """The date an SLA of ``business_days`` business days started on ``start`` falls due."""
    return add_business_days(currency, start, business_days)


@dataclass(frozen=True)
class DayTable:
    """Vectorised calendar for a date range: business-day flags, next business day, UTC offset."""

    start: date
    is_business: np.ndarray  # bool per day
    next_business: np.ndarray  # index of the first business day >= day
    utc_offset_minutes: np.ndarray  # local time = UTC + offset (at noon UTC that day)
    cutoff_minutes: int  # local minutes after midnight


def day_table(currency: str, start: date, days: int) -> DayTable:
    """Per-day calendar arrays used by the bulk generator (one holiday lookup per day, not per payment)."""
    cal = get_calendar(currency)
    tz = ZoneInfo(cal.timezone)
    dates = [start + timedelta(days=i) for i in range(days)]
    is_bd = np.array([is_business_day(currency, d) for d in dates], dtype=bool)
    offsets = np.array(
        [
            int(
                cast(
                    timedelta, datetime.combine(d, time(12), tzinfo=UTC).astimezone(tz).utcoffset()
                ).total_seconds()
            )
            // 60
            for d in dates
        ],
        dtype=np.int32,
    )
    nxt = np.empty(days, dtype=np.int32)
    following = days - 1
    for i in range(days - 1, -1, -1):
        if is_bd[i]:
            following = i
        nxt[i] = following
    return DayTable(start, is_bd, nxt, offsets, cal.cutoff.hour * 60 + cal.cutoff.minute)
