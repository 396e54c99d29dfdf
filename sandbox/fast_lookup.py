"""Hot path of ``GET /v1/payments/{reference}``: one indexed query on a kept DBAPI connection.

SQLAlchemy's pool checkout and result type processing cost about 1 ms per lookup on this hardware, five
times the query itself; the lookup by reference is the API's busiest call, so it reads raw driver values
and normalises them to exactly the JSON the Core path (``queries.payment_dict``) produces.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool, StaticPool

from sandbox.routes_common import parse_reference
from sandbox.schema import payments

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":1", "named": ":v"}
_AMOUNTS = {"instructed_amount", "settled_amount"}
_DATETIMES = {"settlement_at", "created_at"}
_DATES = {"requested_execution_date", "value_date"}
_COLUMNS = [str(c.name) for c in payments.columns]  # plain str: orjson refuses str subclasses


def _amount(value: Any) -> str | None:
    # SQLAlchemy's Numeric(scale=2) reads SQLite floats with "%.2f" too, so both paths agree to the cent.
    if value is None:
        return None
    return f"{value:.2f}" if isinstance(value, float) else f"{Decimal(value).quantize(Decimal('0.01'))}"


def _datetime(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value).replace(" ", "T", 1)  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff"
    return text[:-7] if text.endswith(".000000") else text


def _date(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _same(value: Any) -> Any:
    return value


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _json_list(value: Any) -> list[Any]:
    return json.loads(value or "[]")


def _converter(name: str) -> Callable[[Any], Any]:
    if name in _AMOUNTS:
        return _amount
    if name in _DATETIMES:
        return _datetime
    if name in _DATES:
        return _date
    if name == "intermediary_bics":
        return _json_list
    if name == "fx_rate":
        return _float
    return _same


_CONVERTERS = [(name, _converter(name)) for name in _COLUMNS]


def normalise_row(row: Sequence[Any]) -> dict[str, Any]:
    """Raw driver values (in ``payments`` column order) -> the API's JSON form of a payment."""
    return {name: convert(value) for (name, convert), value in zip(_CONVERTERS, row, strict=True)}


def _connect_args(engine: Engine) -> dict[str, Any]:
    return {"check_same_thread": False} if engine.dialect.name == "sqlite" else {}


class PaymentLookup:
    """Looks a payment up by reference on one DBAPI connection per thread."""

    def __init__(self, engine: Engine) -> None:
        # The kept connections come from an unpooled twin of the engine: held for the lookup's lifetime, they
        # must not use up the shared pool (one app per test or worker would exhaust it after 15 apps).
        # An in-memory SQLite database (StaticPool) has one connection only, so it is shared as it is.
        self.engine = (
            engine
            if isinstance(engine.pool, StaticPool)
            else create_engine(engine.url, poolclass=NullPool, connect_args=_connect_args(engine))
        )
        self.is_sqlite = engine.dialect.name == "sqlite"
        mark = _PLACEHOLDER.get(engine.dialect.paramstyle, "?")
        cols = ", ".join(_COLUMNS)
        self._sql = {
            col: f"SELECT {cols} FROM payments WHERE {col} = {mark}"
            for col in ("id", "uetr", "end_to_end_id")
        }
        self._returns_sql = (
            "SELECT id, reason_code, amount, currency, returned_at FROM returns "
            f"WHERE payment_id = {mark} ORDER BY returned_at, id"
        )
        self._local = threading.local()

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.engine.raw_connection()
            self._local.conn = conn
        return conn

    def __call__(self, reference: str) -> dict[str, Any] | None:
        """The payment's JSON form, or None when no payment has this reference (400 when malformed)."""
        column, value = parse_reference(reference)
        conn = self._connection()
        try:
            cur = conn.cursor()
            try:
                cur.execute(self._sql[column], (value,))
                row = cur.fetchone()
                returned = []
                if row is not None:
                    cur.execute(self._returns_sql, (row[0],))
                    returned = cur.fetchall()
            finally:
                cur.close()
            if not self.is_sqlite:
                conn.rollback()  # end the implicit read transaction (Postgres)
        except Exception:
            self._local.conn = None
            with contextlib.suppress(Exception):
                conn.invalidate()
            raise
        if row is None:
            return None
        payment = normalise_row(row)
        payment["returns"] = [
            {
                "id": r[0],
                "reason_code": r[1],
                "amount": _amount(r[2]),
                "currency": r[3],
                "returned_at": _datetime(r[4]),
            }
            for r in returned
        ]
        return payment
