"""Client of the approved writes: execute once with an approval reference, draft, list."""

from __future__ import annotations

from typing import Any

from core.domain import ActionKind
from tools.http_base import ApiClient, segment
from tools.models import ActionDraft, ActionResult


class ActionsClient(ApiClient):
    """Typed async client of ``/v1/actions``."""

    async def execute(
        self, kind: ActionKind | str, args: dict[str, Any], *, idempotency_key: str, approval_ref: str
    ) -> ActionResult:
        """Execute an approved action; a replayed key returns the first result with ``replayed=True``."""
        headers = {"Idempotency-Key": idempotency_key, "X-Approval-Ref": approval_ref}
        body = await self._post(f"/v1/actions/{segment(ActionKind(kind).value)}", args, headers=headers)
        return ActionResult.model_validate(body)

    async def draft(self, kind: ActionKind | str, args: dict[str, Any]) -> ActionDraft:
        """Validate an action and return its ISO 20022 draft; changes nothing."""
        body = await self._post(f"/v1/actions/{segment(ActionKind(kind).value)}/draft", args)
        return ActionDraft.model_validate(body)

    async def list_actions(
        self, *, reference: str | None = None, case_id: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        """Executed actions, newest first, for a payment or a case."""
        body: dict[str, Any] = await self._get(
            "/v1/actions", reference=reference, case_id=case_id, limit=limit
        )
        return body

    async def get_action(self, action_id: str) -> ActionResult:
        """One executed action."""
        return ActionResult.model_validate(await self._get(f"/v1/actions/{segment(action_id)}"))
