"""Read-only side panels: the SOP section behind a citation and the case panel of a payment."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from agent.findings.codes import ANSWER_MEANING, REASON_MEANING, STATUS_MEANING
from app.auth import require_roles
from app.errors import ApiError, as_api_error
from app.routes.deps import jsonable
from app.schemas import CasePanel, CaseTypeList, CodeMeanings, SectionOut
from core.domain import CASE_TYPE_DESCRIPTIONS, CaseType
from core.users import User
from tools.registry import call_read_tool

router = APIRouter(prefix="/api", tags=["reference"])

SOP_ID_RE = re.compile(r"^SOP-[0-9]{3}$")
SECTION_RE = re.compile(r"^[0-9]{1,2}(?:\.[0-9]{1,2}){0,3}$")
REFERENCE_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")

Reader = Annotated[User, Depends(require_roles("analyst", "supervisor", "compliance"))]
AnyRole = Annotated[User, Depends(require_roles("analyst", "supervisor", "compliance", "admin"))]


def _retriever(request: Request) -> Any:
    state = request.app.state
    if getattr(state, "retriever", None) is None:
        try:
            from retrieval.search import open_retriever

            state.retriever = open_retriever(state.settings)
        except Exception as exc:
            mapped = as_api_error(exc)
            message = mapped.message if mapped else f"retrieval is not available ({type(exc).__name__})"
            raise ApiError(503, "index_not_built", message) from exc
    return state.retriever


@router.get("/case-types", response_model=CaseTypeList)
def case_types(_user: AnyRole) -> dict:
    """The case types with what each means (the analyst's correction, the admin's expected outcome)."""
    return {"case_types": [{"value": c.value, "meaning": CASE_TYPE_DESCRIPTIONS[c]} for c in CaseType]}


@router.get("/codes", response_model=CodeMeanings)
def code_meanings(_user: AnyRole) -> dict:
    """What the status and reason codes mean in words (the case header and the payment chain timeline)."""
    return {"status": STATUS_MEANING, "reason": REASON_MEANING, "answer": ANSWER_MEANING}


@router.get("/sop/{sop_id}/{section}", response_model=SectionOut)
def sop_section(sop_id: str, section: str, _user: Reader, request: Request) -> dict:
    """One SOP section (text, version, title) for the citation side panel."""
    if not SOP_ID_RE.match(sop_id) or not SECTION_RE.match(section):
        raise ApiError(422, "invalid_citation", "expected SOP-NNN and a section like 3 or 3.2")
    hit = _retriever(request).get_section(sop_id, section)
    if hit is None:
        raise ApiError(404, "section_not_found", f"{sop_id} §{section} is not in the index")
    return {"section": jsonable(hit)}


async def _read(reader: Any, name: str, args: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"ok": True, "data": jsonable(await reader(name, args))}
    except Exception as exc:
        mapped = as_api_error(exc)
        if mapped is None:
            raise
        return {"ok": False, "error": {"code": mapped.code, "message": mapped.message}}


@router.get("/case/{reference}", response_model=CasePanel)
async def case_panel(
    reference: str, _user: Reader, request: Request, case_type: CaseType | None = None
) -> dict:
    """Payment summary, tracker timeline and the SLA due dates (when the case type is known)."""
    if not REFERENCE_RE.match(reference):
        raise ApiError(422, "invalid_reference", "expected a UETR, PAY-######## or E2E-… reference")
    reader = _case_reader(request)
    payment, tracker = await asyncio.gather(
        _read(reader, "get_payment", {"reference": reference}),
        _read(reader, "get_tracker", {"reference": reference}),
    )
    if not payment["ok"] and payment["error"]["code"] in {"payment_not_found", "not_found"}:
        raise ApiError(404, "payment_not_found", payment["error"]["message"])
    sla: dict[str, Any] = {
        "ok": False,
        "error": {"code": "no_case_type", "message": "case type not known yet"},
    }
    data = payment.get("data") or {}
    pay = data.get("payment", data) if isinstance(data, dict) else {}
    if case_type is not None:
        currency = pay.get("instructed_currency") or pay.get("currency") or "EUR"
        # The clock starts at the value date when there is one, else today (the case is being worked now).
        start = str(pay.get("value_date") or datetime.now(UTC).date().isoformat())[:10]
        sla = await _read(
            reader, "get_sla", {"case_type": case_type.value, "start": start, "currency": currency}
        )
    return {"reference": reference, "payment": payment, "tracker": tracker, "sla": sla}


def _case_reader(request: Request) -> Any:
    """``await reader(tool_name, args)``: the injected one, else tools.registry over PaymentSystems."""
    state = request.app.state
    if getattr(state, "case_reader", None) is not None:
        return state.case_reader
    systems = state.payment_systems
    if systems is None:
        raise ApiError(503, "payments_unavailable", "payment systems not available")

    async def reader(name: str, args: dict[str, Any]) -> dict[str, Any]:
        return await call_read_tool(systems, name, args)

    return reader
