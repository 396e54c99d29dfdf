"""The lookup hot path returns exactly what the SQLAlchemy Core path returns."""

from __future__ import annotations

from sqlalchemy import Engine, select

from sandbox.fast_lookup import PaymentLookup
from sandbox.queries import find_payment, payment_dict, payment_returns
from sandbox.schema import payments


def test_fast_path_matches_core_path(engine: Engine) -> None:
    lookup = PaymentLookup(engine)
    with engine.connect() as conn:
        rows = list(conn.execute(select(payments)).mappings())
        for row in rows:
            expected = {
                **payment_dict(find_payment(conn, row["id"])),
                "returns": payment_returns(conn, row["id"]),
            }
            for ref in (row["id"], row["uetr"].upper(), row["end_to_end_id"]):
                assert lookup(ref) == expected
    assert lookup("PAY-99999999") is None


def test_fast_path_sees_new_rows(engine: Engine) -> None:
    lookup = PaymentLookup(engine)
    assert lookup("PAY-00000001") is not None
    with engine.begin() as conn:
        conn.execute(payments.delete().where(payments.c.id == "PAY-00000001"))
    assert lookup("PAY-00000001") is None


def test_a_returned_payment_shows_its_pacs004(engine: Engine) -> None:
    from datetime import datetime

    from sandbox.schema import returns

    with engine.begin() as conn:
        conn.execute(
            returns.insert().values(
                id="RET-00000001",
                payment_id="PAY-00000001",
                original_payment_id="PAY-00000001",
                reason_code="AM05",
                amount="780.00",
                currency="EUR",
                returned_at=datetime(2026, 11, 5, 10, 20),
            )
        )
        core = payment_returns(conn, "PAY-00000001")
    found = PaymentLookup(engine)("PAY-00000001")
    assert found is not None and found["returns"] == core
    assert core == [
        {"id": "RET-00000001", "reason_code": "AM05", "amount": "780.00", "currency": "EUR",
         "returned_at": "2026-11-05T10:20:00"}
    ]  # fmt: skip
