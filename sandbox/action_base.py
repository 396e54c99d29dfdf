"""What every write-action rule returns, and helpers shared by the payment and case rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from sandbox import iso20022 as iso
from sandbox.routes_common import ApiError
from sandbox.schema import cases

Effect = Callable[[Connection, datetime], dict[str, Any]]


@dataclass
class Prepared:
    """A checked action: its message draft and the state change to apply when executed."""

    payment: RowMapping | None
    case_id: str | None
    message: iso.MessageDraft | None
    apply: Effect


def get_case(conn: Connection, case_id: str) -> RowMapping:
    """The case row (404 ``case_not_found``)."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    if row is None:
        raise ApiError(404, "case_not_found", f"no case {case_id}")
    return row


def next_id(conn: Connection, column: Any, prefix: str, width: int) -> str:
    """The next sequential id such as ``CASE-000124`` (a clash on insert rolls the write back).

    Only ids of exactly this width count: seeded ids of another width (``RET-900172``) would otherwise win
    the string max forever and every later id would clash."""
    pattern = f"{prefix}{'_' * width}"
    last = conn.execute(select(func.max(column)).where(column.like(pattern))).scalar()
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:0{width}d}"
