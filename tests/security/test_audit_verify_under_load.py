"""Verifying the audit chain while events are appended never reports a broken chain; rows slipped in past
the recorded head are still caught."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import insert

from core.audit import AuditLog, audit_events
from core.schema import open_app_db
from core.settings import Settings


def test_verify_during_appends_is_never_a_false_alarm(tmp_path: Path) -> None:
    log = AuditLog(open_app_db(Settings(data_dir=tmp_path / "data").app_db_url))
    log.append("seed", actor="bench", payload={})
    done = threading.Event()

    def writer() -> None:
        for n in range(300):
            log.append("load", actor="bench", payload={"n": n})
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    results = []
    while not done.is_set():
        results.append(log.verify())
    thread.join()
    assert results and all(r.ok for r in results), next(r.reason for r in results if not r.ok)
    assert log.verify().checked == 301


def test_an_event_inserted_past_the_head_is_caught(tmp_path: Path) -> None:
    log = AuditLog(open_app_db(Settings(data_dir=tmp_path / "data").app_db_url))
    for n in range(3):
        log.append("e", actor="a", payload={"n": n})
    last = log.verify().head_hash
    with log.engine.begin() as conn:  # an attacker writes a row and leaves the head alone
        conn.execute(
            insert(audit_events).values(
                seq=4, ts="2026-01-01T00:00:00", event_type="forged", actor="x", conversation_id=None,
                payload="{}", refs=" ", prev_hash=last, hash="f" * 64,
            )
        )  # fmt: skip
    result = log.verify()
    assert not result.ok and "not in the recorded head" in (result.reason or "")
