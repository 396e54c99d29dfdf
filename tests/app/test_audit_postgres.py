"""The audit chain on PostgreSQL: concurrent appends from several threads keep one chain; tampering is found."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine

from core.audit import AuditLog
from core.schema import open_app_db

pytestmark = pytest.mark.postgres


def test_postgres_concurrent_appends_and_tamper(postgres_url: str) -> None:
    log = AuditLog(open_app_db(postgres_url))
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            # A separate engine per thread: separate connection pools, as separate workers would have.
            other = AuditLog(create_engine("postgresql+psycopg://" + postgres_url.split("://", 1)[1]))
            for i in range(10):
                other.append("message", actor=f"w{n}", conversation_id=f"t{n}", payload={"i": i})
            other.engine.dispose()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = log.verify()
    assert result.ok and result.checked == 40
    with log.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET payload = '{\"i\":999}' WHERE seq = 17")
    broken = log.verify()
    assert not broken.ok and broken.first_broken_seq == 17
    log.engine.dispose()
