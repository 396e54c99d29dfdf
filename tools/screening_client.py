"""Client of sanctions / AML screening: hits and holds of a payment."""

from __future__ import annotations

from tools.http_base import ApiClient, segment
from tools.models import Screening


class ScreeningClient(ApiClient):
    """Typed async client of ``/v1/payments/{reference}/screening``."""

    async def get_screening(self, reference: str) -> Screening:
        """Screening hits, holds and a summary."""
        return Screening.model_validate(await self._get(f"/v1/payments/{segment(reference)}/screening"))
