"""Write routes: approved actions (idempotent, with an approval reference), drafts and the action log."""

# No "from __future__ import annotations": the generated endpoints need real annotations for FastAPI.
import re
from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel

from core.domain import ActionKind
from sandbox import actions as svc
from sandbox.api_security import ApprovalGate, record_ref
from sandbox.routes_common import ApiError, EngineDep
from tools.models import ACTION_ARG_MODELS, ActionDraft, ActionResult

router = APIRouter(prefix="/v1/actions", tags=["actions"])

_HEADER_RE = re.compile(r"^[A-Za-z0-9._:/@+=-]{1,100}$")


def _required_header(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise ApiError(
            428, "approval_required", f"header {name} is required for a write (approved actions only)"
        )
    value = value.strip()
    if not _HEADER_RE.match(value):
        raise ApiError(
            400, "invalid_header", f"header {name} must be 1-100 characters of [A-Za-z0-9._:/@+=-]"
        )
    return value


def _approval_header(value: str | None) -> str:
    # The signed reference is long; its format and signature are the gate's to judge (401 when wrong).
    if value is None or not value.strip():
        raise ApiError(
            428, "approval_required", "header X-Approval-Ref is required for a write (approved actions only)"
        )
    return value.strip()


def _write_endpoint(kind: ActionKind, model: type[BaseModel]) -> Callable[..., dict[str, Any]]:
    def endpoint(
        request: Request,
        body: model,  # type: ignore[valid-type]
        engine: EngineDep,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
        approval_ref: Annotated[str | None, Header(alias="X-Approval-Ref")] = None,
    ) -> dict[str, Any]:
        gate: ApprovalGate = request.app.state.approval_gate
        args = cast(BaseModel, body).model_dump(mode="json", exclude_none=True)
        try:
            key = _required_header(idempotency_key, "Idempotency-Key")
            ref = _approval_header(approval_ref)
        except ApiError as exc:
            gate.refuse(kind.value, exc.code, exc.message, reference=args.get("reference"))
            raise
        claims = gate.admit(kind.value, args, key, ref)
        try:
            result = svc.execute(engine, kind, args, idempotency_key=key, approval_ref=record_ref(claims))
        except ApiError as exc:
            gate.failed(claims, exc)
            raise
        gate.executed(claims, result)
        return result

    endpoint.__doc__ = f"Execute an approved {kind.value} once: {model.__doc__}"
    endpoint.__name__ = f"execute_{kind.value}"
    return endpoint


def _draft_endpoint(kind: ActionKind, model: type[BaseModel]) -> Callable[..., dict[str, Any]]:
    def endpoint(body: model, engine: EngineDep) -> dict[str, Any]:  # type: ignore[valid-type]
        return svc.draft(engine, kind, cast(BaseModel, body).model_dump(mode="json", exclude_none=True))

    endpoint.__doc__ = f"Validate a {kind.value} and return its ISO 20022 draft; changes nothing."
    endpoint.__name__ = f"draft_{kind.value}"
    return endpoint


for _kind, _model in ACTION_ARG_MODELS.items():
    router.add_api_route(
        f"/{_kind.value}/draft",
        _draft_endpoint(_kind, _model),
        methods=["POST"],
        summary=f"Draft {_kind.value}",
        response_model=ActionDraft,
        response_model_exclude_unset=True,
    )
    router.add_api_route(
        f"/{_kind.value}",
        _write_endpoint(_kind, _model),
        methods=["POST"],
        summary=f"Execute an approved {_kind.value}",
        response_model=ActionResult,
        response_model_exclude_unset=True,
        responses={
            401: {
                "description": "missing bearer token or an approval reference not signed by the approval service"
            },
            403: {
                "description": "approval reference for other arguments, expired, self-approved or replayed"
            },
            409: {"description": "business rule or idempotency conflict"},
            428: {"description": "approval required"},
        },
    )


@router.get("", summary="Executed actions")
def list_actions(
    engine: EngineDep,
    reference: Annotated[str | None, Query(max_length=64, description="Payment reference")] = None,
    case_id: Annotated[str | None, Query(pattern=r"^CASE-[0-9]{6}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Executed actions, newest first, for a payment or a case."""
    return svc.list_actions(engine, reference=reference, case_id=case_id, limit=limit)


@router.get(
    "/{action_id}",
    summary="One executed action",
    response_model=ActionResult,
    response_model_exclude_unset=True,
)
def get_action(action_id: str, engine: EngineDep) -> dict[str, Any]:
    """The stored result of an executed action, with its ISO 20022 XML."""
    return svc.get_action(engine, action_id)
