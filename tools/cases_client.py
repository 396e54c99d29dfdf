"""Client of the case system: cases opened about a payment."""

from __future__ import annotations

from tools.http_base import ApiClient, segment
from tools.models import CaseRecord, Cases


class CasesClient(ApiClient):
    """Typed async client of ``/v1/payments/{reference}/cases`` and ``/v1/cases/{case_id}``."""

    async def get_cases(self, reference: str) -> Cases:
        """Cases about a payment, open ones first."""
        return Cases.model_validate(await self._get(f"/v1/payments/{segment(reference)}/cases"))

    async def get_case(self, case_id: str) -> CaseRecord:
        """One case by its id, with the payment it is about."""
        return CaseRecord.model_validate(await self._get(f"/v1/cases/{segment(case_id)}"))
