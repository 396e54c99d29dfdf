"""Client of the gpi tracker: hops, status reasons, charges and where a payment stopped."""

from __future__ import annotations

from tools.http_base import ApiClient, segment
from tools.models import Tracker


class TrackerClient(ApiClient):
    """Typed async client of ``/v1/payments/{reference}/tracker``."""

    async def get_tracker(self, reference: str) -> Tracker:
        """Tracker hops in path order and the summary."""
        return Tracker.model_validate(await self._get(f"/v1/payments/{segment(reference)}/tracker"))
