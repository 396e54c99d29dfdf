"""Rules of the case actions: open, close and escalate an investigation case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sandbox.action_base import Prepared, get_case, next_id
from sandbox.queries import find_payment
from sandbox.routes_common import ApiError
from sandbox.schema import cases
from tools import models as m


def open_case(conn: Connection, a: m.OpenCaseArgs, _msg_id: str) -> Prepared:
    """Refuse a second open case of the same type for a payment; insert ``CASE-nnnnnn`` when applied."""
    pay = find_payment(conn, a.reference) if a.reference else None
    if pay is not None:
        dup = conn.execute(
            select(cases.c.id).where(
                cases.c.payment_id == pay["id"],
                cases.c.case_type == a.case_type.value,
                cases.c.status == "open",
            )
        ).first()
        if dup:
            raise ApiError(
                409, "case_already_open", f"case {dup[0]} of this type is already open for {pay['id']}"
            )

    def apply(c: Connection, now: datetime) -> dict[str, Any]:
        case_id = next_id(c, cases.c.id, "CASE-", 6)
        c.execute(
            insert(cases).values(
                id=case_id,
                payment_id=pay["id"] if pay is not None else None,
                case_type=a.case_type.value,
                status="open",
                opened_at=now,
                summary=a.summary,
                assigned_to=a.assigned_to,
            )
        )
        return {"case_id": case_id, "case_status": "open"}

    return Prepared(pay, None, None, apply)


def close_case(conn: Connection, a: m.CloseCaseArgs, _msg_id: str) -> Prepared:
    """Close an open case with its resolution code."""
    case = get_case(conn, a.case_id)
    if case["status"] != "open":
        raise ApiError(409, "case_not_open", f"case {a.case_id} is {case['status']}")

    def apply(c: Connection, now: datetime) -> dict[str, Any]:
        c.execute(
            update(cases)
            .where(cases.c.id == a.case_id)
            .values(status="closed", closed_at=now, resolution_code=a.resolution_code.value)
        )
        return {"case_id": a.case_id, "case_status": "closed", "resolution_code": a.resolution_code.value}

    return Prepared(None, a.case_id, None, apply)


def escalate(conn: Connection, a: m.EscalateArgs, _msg_id: str) -> Prepared:
    """Escalate a case (or the open case of a payment) by reassigning it to ``escalated:<level>``."""
    pay = find_payment(conn, a.reference) if a.reference else None
    if a.case_id:
        case = get_case(conn, a.case_id)
    else:
        assert pay is not None
        found = (
            conn.execute(
                select(cases)
                .where(cases.c.payment_id == pay["id"], cases.c.status == "open")
                .order_by(cases.c.opened_at)
            )
            .mappings()
            .first()
        )
        if found is None:
            raise ApiError(409, "no_open_case", f"{pay['id']} has no open case to escalate: open one first")
        case = found
    if case["status"] != "open":
        raise ApiError(409, "case_not_open", f"case {case['id']} is {case['status']}")
    target = f"escalated:{a.level.value}"

    def apply(c: Connection, _now: datetime) -> dict[str, Any]:
        c.execute(update(cases).where(cases.c.id == case["id"]).values(assigned_to=target))
        return {"case_id": case["id"], "escalated_to": a.level.value}

    return Prepared(pay, case["id"], None, apply)
