"""Test helpers: signed approval references and the payments API token of a test's data dir."""

from __future__ import annotations

from typing import Any

from core.approval_tokens import payments_api_token, signer_from_settings
from core.domain import ActionKind
from core.settings import Settings
from tools.models import ACTION_ARG_MODELS


def api_headers(settings: Settings) -> dict[str, str]:
    """The bearer header the app sends to the payments API of ``settings``."""
    return {"Authorization": f"Bearer {payments_api_token(settings)}"}


def normalised(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments as the API hashes them (validated, defaults filled); raw when they do not validate."""
    try:
        model = ACTION_ARG_MODELS[ActionKind(kind)]
        return model.model_validate(args).model_dump(mode="json", exclude_none=True)
    except Exception:
        return args


def sign_ref(
    settings: Settings,
    kind: str,
    args: dict[str, Any],
    key: str,
    *,
    approver: str = "supervisor1",
    requester: str = "analyst1",
    proposal_id: str = "prop-test",
) -> str:
    """A genuine approval reference, as the approval service issues it."""
    return signer_from_settings(settings).issue(
        proposal_id=proposal_id,
        kind=kind,
        args=normalised(kind, args),
        approver=approver,
        requester=requester,
        idempotency_key=key,
    )


def write_headers(settings: Settings, kind: str, args: dict[str, Any], key: str) -> dict[str, str]:
    """Idempotency-Key plus a signed X-Approval-Ref for one write."""
    return {"Idempotency-Key": key, "X-Approval-Ref": sign_ref(settings, kind, args, key)}


def claims_of(reference: str) -> dict[str, Any]:
    """The (unverified) claims inside a reference, for assertions on what a fake payment port received."""
    import base64
    import json

    payload = reference.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
