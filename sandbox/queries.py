"""Read queries of the payments API over the sandbox tables (SQLAlchemy Core), returning JSON-safe dicts."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, RowMapping, and_, func, or_, select

from sandbox.routes_common import ApiError, parse_reference
from sandbox.schema import (
    banks,
    cases,
    holds,
    payments,
    returns,
    risk_scores,
    screening_hits,
    tracker_events,
)

# An IBAN or a local account number: letters and digits with at least three digits, no spaces.
_ACCOUNT_LIKE = re.compile(r"^(?=(?:.*[0-9]){3})[A-Z0-9]{6,34}$")


def jsonable(value: Any) -> Any:
    """Decimals as 2-decimal strings, dates and datetimes as ISO text; everything else unchanged."""
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_dict(row: RowMapping) -> dict[str, Any]:
    """A table row as a JSON-safe dict."""
    return {key: jsonable(value) for key, value in row.items()}


def find_payment(conn: Connection, reference: str) -> RowMapping:
    """The payment with this UETR, EndToEndId or PAY- id (400 when malformed, 404 when unknown)."""
    column, value = parse_reference(reference)
    row = conn.execute(select(payments).where(payments.c[column] == value)).mappings().first()
    if row is None:
        raise ApiError(404, "payment_not_found", f"no payment with reference {value}")
    return row


def payment_dict(row: RowMapping) -> dict[str, Any]:
    """The API form of a payment row (intermediaries decoded from JSON)."""
    data = row_dict(row)
    data["intermediary_bics"] = json.loads(row["intermediary_bics"] or "[]")
    return data


def payment_returns(conn: Connection, payment_id: str) -> list[dict[str, Any]]:
    """The pacs.004 returns of a payment (id, reason code, amount, currency, when), oldest first."""
    rows = conn.execute(
        select(
            returns.c.id, returns.c.reason_code, returns.c.amount, returns.c.currency, returns.c.returned_at
        )
        .where(returns.c.payment_id == payment_id)
        .order_by(returns.c.returned_at, returns.c.id)
    ).mappings()
    return [{**row_dict(r), "amount": f"{Decimal(r['amount']).quantize(Decimal('0.01'))}"} for r in rows]


def search_payments(
    conn: Connection,
    *,
    amount_min: Decimal | None,
    amount_max: Decimal | None,
    currency: str | None,
    date_from: date | None,
    date_to: date | None,
    party: str | None,
    status: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Payments matching every given filter, newest first."""
    conds = []
    if amount_min is not None:
        conds.append(payments.c.instructed_amount >= amount_min)
    if amount_max is not None:
        conds.append(payments.c.instructed_amount <= amount_max)
    if currency:
        conds.append(payments.c.instructed_currency == currency)
    if date_from:
        conds.append(payments.c.created_at >= datetime.combine(date_from, datetime.min.time()))
    if date_to:
        conds.append(
            payments.c.created_at < datetime.combine(date_to + timedelta(days=1), datetime.min.time())
        )
    if status:
        conds.append(payments.c.status == status)
    if party:
        account = party.replace(" ", "").upper()
        if _ACCOUNT_LIKE.match(account):
            # An account: two indexed equality lookups (a name LIKE would scan the whole table).
            conds.append(or_(payments.c.debtor_account == account, payments.c.creditor_account == account))
        else:
            pattern = "%" + party.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(
                or_(
                    payments.c.debtor_name.ilike(pattern, escape="\\"),
                    payments.c.creditor_name.ilike(pattern, escape="\\"),
                )
            )
    query = select(payments).where(and_(*conds)).order_by(payments.c.created_at.desc()).limit(limit)
    return [payment_dict(r) for r in conn.execute(query).mappings()]


def tracker(conn: Connection, pay: RowMapping) -> dict[str, Any]:
    """gpi tracker hops in path order plus a summary of where the payment is."""
    rows = list(
        conn.execute(
            select(tracker_events)
            .where(tracker_events.c.payment_id == pay["id"])
            .order_by(tracker_events.c.seq)
        ).mappings()
    )
    bics = {r["agent_bic"] for r in rows}
    gpi_flags = (
        dict(conn.execute(select(banks.c.bic, banks.c.gpi).where(banks.c.bic.in_(bics))).all())
        if bics
        else {}
    )
    charges: dict[str, Decimal] = defaultdict(Decimal)
    hops = []
    for r in rows:
        hop = row_dict(r)
        hop.pop("id", None)
        hop["gpi_agent"] = bool(gpi_flags.get(r["agent_bic"], False))
        hops.append(hop)
        if r["charges_amount"] is not None and r["charges_currency"]:
            charges[r["charges_currency"]] += r["charges_amount"]
    last = rows[-1] if rows else None
    stopped = last is not None and pay["status"] != "ACCC" and last["forwarded_at"] is None
    summary = {
        "current_status": pay["status"],
        "status_reason": pay["status_reason"],
        "hops": len(rows),
        "last_agent_bic": last["agent_bic"] if last else None,
        "stopped_at_bic": last["agent_bic"] if stopped and last is not None else None,
        "total_charges": {cur: jsonable(amount) for cur, amount in sorted(charges.items())},
        "gpi": bool(rows) and all(hop["gpi_agent"] for hop in hops),
        "credited": pay["status"] == "ACCC",
    }
    return {"payment_id": pay["id"], "uetr": pay["uetr"], "hops": hops, "summary": summary}


def screening(conn: Connection, pay: RowMapping) -> dict[str, Any]:
    """Screening hits and holds of a payment."""
    hits = [
        row_dict(r)
        for r in conn.execute(
            select(screening_hits)
            .where(screening_hits.c.payment_id == pay["id"])
            .order_by(screening_hits.c.created_at)
        ).mappings()
    ]
    hold_rows = [
        row_dict(r)
        for r in conn.execute(
            select(holds).where(holds.c.payment_id == pay["id"]).order_by(holds.c.placed_at)
        ).mappings()
    ]
    summary = {
        "open_hits": sum(1 for h in hits if h["status"] == "open"),
        "active_holds": sum(1 for h in hold_rows if h["status"] == "active"),
        "held": any(h["status"] == "active" for h in hold_rows),
    }
    return {"payment_id": pay["id"], "hits": hits, "holds": hold_rows, "summary": summary}


def duplicates(conn: Connection, pay: RowMapping, window_days: int) -> dict[str, Any]:
    """Same debtor account, creditor account, amount and currency within ``window_days``, with a score."""
    created: datetime = pay["created_at"]
    window = timedelta(days=window_days)
    query = select(payments).where(
        payments.c.debtor_account == pay["debtor_account"],
        payments.c.creditor_account == pay["creditor_account"],
        payments.c.instructed_amount == pay["instructed_amount"],
        payments.c.instructed_currency == pay["instructed_currency"],
        payments.c.created_at.between(created - window, created + window),
        payments.c.id != pay["id"],
    )
    candidates = []
    for row in conn.execute(query.limit(50)).mappings():
        gap = abs((row["created_at"] - created).total_seconds())
        closeness = 1.0 - min(gap / window.total_seconds(), 1.0) if window_days else 1.0
        remit = fuzz.ratio(pay["remittance_info"] or "", row["remittance_info"] or "") / 100.0
        score = round(0.6 * closeness + 0.4 * remit, 3)
        candidates.append(
            {
                "payment": payment_dict(row),
                "similarity": score,
                "hours_apart": round(gap / 3600, 2),
                "remittance_similarity": round(remit, 3),
            }
        )
    candidates.sort(key=lambda c: c["similarity"], reverse=True)
    return {"payment_id": pay["id"], "window_days": window_days, "candidates": candidates}


def payment_cases(conn: Connection, pay: RowMapping) -> dict[str, Any]:
    """Cases about a payment, open ones first."""
    rows = conn.execute(
        select(cases)
        .where(cases.c.payment_id == pay["id"])
        .order_by(cases.c.status.desc(), cases.c.opened_at)
    ).mappings()
    items = [row_dict(r) for r in rows]
    return {"payment_id": pay["id"], "open": sum(1 for c in items if c["status"] == "open"), "cases": items}


def risk(conn: Connection, pay: RowMapping) -> dict[str, Any]:
    """Anomaly score and red flags from ``risk_scores`` (``scored: false`` when the payment has none)."""
    row = conn.execute(select(risk_scores).where(risk_scores.c.payment_id == pay["id"])).mappings().first()
    if row is None:
        return {
            "payment_id": pay["id"],
            "scored": False,
            "score": None,
            "flags": [],
            "model_version": None,
            "fraud_type": None,
        }
    return {
        "payment_id": pay["id"],
        "scored": True,
        "score": round(float(row["score"]), 4),
        "flags": json.loads(row["flags"] or "[]"),
        "model_version": row["model_version"],
        "fraud_type": row["fraud_type"],
    }


def count_rows(conn: Connection, table: Any) -> int:
    """Number of rows in ``table`` (tests use it to prove a refused call changed nothing)."""
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
