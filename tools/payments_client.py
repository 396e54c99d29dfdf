"""Client of the payments hub: payment lookup, search, duplicate candidates and risk signals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.http_base import ApiClient, segment
from tools.models import Duplicates, Payment, PaymentSearch, RiskSignals


class PaymentsClient(ApiClient):
    """Typed async client of ``/v1/payments``."""

    async def get_payment(self, reference: str) -> Payment:
        """A payment by UETR, EndToEndId or PAY- id."""
        return Payment.model_validate(await self._get(f"/v1/payments/{segment(reference)}"))

    async def search_payments(
        self,
        *,
        amount_min: Decimal | float | None = None,
        amount_max: Decimal | float | None = None,
        currency: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        party: str | None = None,
        status: str | None = None,
        limit: int = 20,
    ) -> PaymentSearch:
        """Payments matching every given filter, newest first."""
        body = await self._get(
            "/v1/payments", amount_min=amount_min, amount_max=amount_max, currency=currency,
            date_from=date_from, date_to=date_to, party=party, status=status, limit=limit,
        )  # fmt: skip
        return PaymentSearch.model_validate(body)

    async def find_duplicates(self, reference: str, *, days: int = 5) -> Duplicates:
        """Duplicate candidates of a payment within ``days``."""
        return Duplicates.model_validate(
            await self._get(f"/v1/payments/{segment(reference)}/duplicates", days=days)
        )

    async def get_risk_signals(self, reference: str) -> RiskSignals:
        """Anomaly score and red flags of a payment."""
        return RiskSignals.model_validate(await self._get(f"/v1/payments/{segment(reference)}/risk"))
