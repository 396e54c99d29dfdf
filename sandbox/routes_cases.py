"""Case routes: one investigation case by its id (the cases of a payment are under /v1/payments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from core.domain import CASE_ID_PATTERN
from sandbox.action_base import get_case
from sandbox.queries import row_dict
from sandbox.routes_common import EngineDep
from tools.models import CaseRecord

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.get(
    "/{case_id}",
    summary="An investigation case by id",
    response_model=CaseRecord,
    response_model_exclude_unset=True,
    responses={404: {"description": "No case with this id"}},
)
def get_case_by_id(
    case_id: Annotated[str, Path(pattern=rf"^{CASE_ID_PATTERN}$", description="e.g. CASE-000123")],
    engine: EngineDep,
) -> dict[str, Any]:
    """The case, its state and the latest answer received on it."""
    with engine.connect() as conn:
        return row_dict(get_case(conn, case_id))
