"""The compliance console: search, replay, chain verification and evidence-pack export."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth import Compliance
from app.errors import ApiError, raise_mapped
from app.evidence import build_evidence_pack
from app.routes.deps import audit_of, jsonable
from app.schemas import EventList, SearchResults, VerifyOut
from core.audit_anchor import AnchorError, verify_with_anchor
from core.domain import ActionKind

router = APIRouter(prefix="/api/compliance", tags=["compliance"])

TEXT = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")


def _date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    if name == "until" and len(value) == 10:
        value += "T23:59:59.999999"  # a bare end date includes that whole day
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ApiError(422, "invalid_date", f"{name} must be an ISO date like 2026-11-22") from exc


def _token(value: str | None, name: str) -> str | None:
    if value and not TEXT.match(value):
        raise ApiError(422, "invalid_query", f"{name} has characters that are not allowed")
    return value or None


@router.get("/search", response_model=SearchResults)
def search(
    _user: Compliance,
    request: Request,
    user: Annotated[str | None, Query(max_length=64)] = None,
    case: Annotated[str | None, Query(max_length=64)] = None,
    uetr: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
) -> dict:
    """Conversations with an event matching every filter given (user, case/payment ref, UETR, dates, action)."""
    if kind and kind not in {k.value for k in ActionKind}:
        raise ApiError(422, "invalid_kind", f"kind must be one of {', '.join(k.value for k in ActionKind)}")
    results = audit_of(request).conversations(
        actor=_token(user, "user"),
        reference=_token(case, "case") or _token(uetr, "uetr"),
        since=_date(since, "since"),
        until=_date(until, "until"),
        action_kind=kind,
    )
    if case and uetr:
        uetr_ids = {c["conversation_id"] for c in audit_of(request).conversations(reference=uetr)}
        results = [c for c in results if c["conversation_id"] in uetr_ids]
    filters = {"user": user, "case": case, "uetr": uetr, "since": since, "until": until, "kind": kind}
    audit_of(request).append(
        "audit_read",
        actor=_user.username,
        payload={"what": "search", "filters": {k: v for k, v in filters.items() if v}, "found": len(results)},
    )
    return {"conversations": results}


@router.get("/conversations/{conversation_id}/events", response_model=EventList)
def replay(conversation_id: str, _user: Compliance, request: Request) -> dict:
    """Every audit event of a conversation in chain order, for replay (the read itself is audited)."""
    events = audit_of(request).events(conversation_id=conversation_id, limit=100_000)
    if not events:
        raise ApiError(404, "conversation_not_found", "no audit events for this conversation")
    audit_of(request).append(
        "audit_read",
        actor=_user.username,
        conversation_id=conversation_id,
        payload={"what": "replay", "events": len(events)},
    )
    return {"events": jsonable([e.to_dict() for e in events])}


@router.get("/verify", response_model=VerifyOut)
def verify(_user: Compliance, request: Request) -> dict:
    """Verify the whole hash chain now, and against the signed checkpoint outside the database."""
    log = audit_of(request)
    anchor = getattr(log, "anchor", None)
    if anchor is None or not anchor.path.exists():
        return {**log.verify().to_dict(), "anchor": None}
    try:
        checkpoint = anchor.read()
    except AnchorError as exc:
        return {**log.verify().to_dict(), "ok": False, "reason": exc.message, "anchor": {"ok": False}}
    result = verify_with_anchor(log, checkpoint).to_dict()
    return {**result, "anchor": {"ok": result["ok"], "seq": checkpoint.seq, "hash": checkpoint.hash,
                                 "written_at": checkpoint.written_at, "file": anchor.path.name}}  # fmt: skip


@router.get(
    "/conversations/{conversation_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The evidence pack (a zip file)."}},
)
def export(conversation_id: str, user: Compliance, request: Request, unmask: bool = False) -> Response:
    """Download the evidence pack (masked unless ``unmask=true``, which compliance may ask for)."""
    try:
        data = build_evidence_pack(audit_of(request), conversation_id, viewer=user, unmask=unmask)
    except Exception as exc:
        raise_mapped(exc)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", conversation_id)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="evidence-{name}.zip"'},
    )
