"""Client of the business calendar, SLA due dates, FX rates and value-date compensation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tools.http_base import ApiClient, segment
from tools.models import CalendarInfo, Compensation, FxRate, SlaDueDates


class CalendarClient(ApiClient):
    """Typed async client of ``/v1/calendar``, ``/v1/fx`` and the compensation calculator."""

    async def get_calendar(
        self, currency: str, day: date | str, *, received_at: datetime | str | None = None
    ) -> CalendarInfo:
        """Business day?, next business day, cut-off and value date for a currency and day."""
        body = await self._get("/v1/calendar", currency=currency, date=str(day), received_at=received_at)
        return CalendarInfo.model_validate(body)

    async def get_sla(self, case_type: str, start: date | str, *, currency: str = "EUR") -> SlaDueDates:
        """SLA due dates of a case type counted from ``start``."""
        body = await self._get("/v1/calendar/sla", case_type=case_type, start=str(start), currency=currency)
        return SlaDueDates.model_validate(body)

    async def get_fx_rate(self, base: str, quote: str, day: date | str) -> FxRate:
        """1 base = rate quote on the day (or the latest earlier fixing)."""
        return FxRate.model_validate(await self._get("/v1/fx", base=base, quote=quote, date=str(day)))

    async def compute_compensation(
        self, reference: str, corrected_value_date: date | str, *, annual_rate: Decimal | float | None = None
    ) -> Compensation:
        """Value-date interest between the actual and the corrected value date."""
        body = await self._get(
            f"/v1/payments/{segment(reference)}/compensation",
            corrected_value_date=str(corrected_value_date),
            annual_rate=annual_rate,
        )
        return Compensation.model_validate(body)
