"""Business calendar: weekends, holidays and cut-offs decide value dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sandbox.calendar import (
    UnknownCurrency,
    add_business_days,
    business_days_between,
    is_business_day,
    value_date_for,
)


@pytest.mark.parametrize(
    ("currency", "received_utc", "expected"),
    [
        ("EUR", datetime(2026, 11, 10, 15, 59), date(2026, 11, 10)),  # 16:59 CET, before the 17:00 cut-off
        ("EUR", datetime(2026, 11, 10, 16, 1), date(2026, 11, 11)),  # 17:01 CET, after the cut-off
        ("EUR", datetime(2026, 11, 13, 17, 30), date(2026, 11, 16)),  # Friday after cut-off -> Monday
        ("EUR", datetime(2026, 12, 24, 17, 0), date(2026, 12, 28)),  # TARGET closed 25 and 26 December
        ("USD", datetime(2026, 11, 5, 23, 44), date(2026, 11, 5)),  # 18:44 ET, before Fedwire cut-off
        ("USD", datetime(2026, 11, 5, 23, 46), date(2026, 11, 6)),  # 18:46 ET, after
        ("USD", datetime(2026, 11, 26, 12, 0), date(2026, 11, 27)),  # Thanksgiving
        ("GBP", datetime(2026, 11, 21, 10, 0), date(2026, 11, 23)),  # Saturday
        ("USD", datetime(2026, 7, 3, 14, 0), date(2026, 7, 3)),  # Fedwire open the Friday before 4 July (Sat)
        ("JPY", datetime(2026, 12, 31, 2, 0), date(2027, 1, 4)),  # 31 Dec, 1-3 Jan bank holidays in Japan
    ],
)
def test_value_date_for(currency: str, received_utc: datetime, expected: date) -> None:
    assert value_date_for(currency, received_utc) == expected


def test_requested_future_date_wins() -> None:
    assert value_date_for("EUR", datetime(2026, 11, 10, 9), date(2026, 11, 14)) == date(2026, 11, 16)


def test_business_day_arithmetic() -> None:
    assert not is_business_day("EUR", date(2026, 12, 25))
    assert is_business_day("USD", date(2026, 12, 24))
    assert add_business_days("EUR", date(2026, 11, 20), 10) == date(2026, 12, 4)
    assert business_days_between("EUR", date(2026, 11, 10), date(2026, 11, 12)) == 2


def test_unknown_currency_is_a_typed_error() -> None:
    with pytest.raises(UnknownCurrency):
        is_business_day("XXX", date(2026, 11, 10))


@pytest.mark.parametrize(
    ("currency", "day", "open_"),
    [
        (
            "USD",
            date(2026, 7, 3),
            True,
        ),  # Independence Day on a Saturday: the Federal Reserve opens on Friday
        ("USD", date(2027, 12, 24), True),  # Christmas on a Saturday: Fedwire open on Friday 24 December
        ("USD", date(2026, 7, 4), False),
        ("USD", date(2026, 11, 11), False),  # Veterans Day is a Federal Reserve holiday
        ("USD", date(2026, 11, 26), False),  # Thanksgiving
        ("JPY", date(2026, 12, 31), False),  # bank holiday
        ("JPY", date(2027, 1, 2), False),
        ("JPY", date(2027, 1, 4), True),
        ("JPY", date(2026, 1, 2), False),
        ("EUR", date(2026, 4, 3), False),  # Good Friday (TARGET)
        ("EUR", date(2026, 5, 1), False),
        ("EUR", date(2026, 12, 24), True),
    ],
)
def test_settlement_system_calendars(currency: str, day: date, open_: bool) -> None:
    assert is_business_day(currency, day) is open_
