"""The audit chain: appends, queries, tamper detection and concurrent writers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from core.audit import AuditLog, verify_chain_of
from core.schema import open_app_db
from core.settings import Settings

UETR = "1b4e28ba-2fa1-4d2b-883f-0016d3cca427"


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    log = AuditLog(open_app_db(settings.app_db_url))
    for i in range(5):
        log.append(
            "tool_call",
            actor="analyst1" if i % 2 else "analyst2",
            conversation_id=f"c{i % 2}",
            payload={"i": i, "args": {"reference": UETR if i == 3 else "PAY-00000001"}, "kind": "recall"},
        )
    return log


def test_intact_chain_verifies(audit: AuditLog) -> None:
    result = audit.verify()
    assert result.ok and result.checked == 5 and result.first_broken_seq is None
    events = audit.events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[1].prev_hash == events[0].hash


def test_queries_filter_by_conversation_actor_reference_and_kind(audit: AuditLog) -> None:
    assert [e.seq for e in audit.events(conversation_id="c1")] == [2, 4]
    assert [e.seq for e in audit.events(actor="analyst2")] == [1, 3, 5]
    assert [e.seq for e in audit.events(reference=UETR.upper())] == [4]
    assert len(audit.events(action_kind="recall")) == 5
    assert audit.events(action_kind="escalate") == []
    assert {c["conversation_id"] for c in audit.conversations(reference="PAY-00000001")} == {"c0", "c1"}


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        ("UPDATE audit_events SET payload = '{\"i\":99}' WHERE seq = 3", 3),
        ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 5", 5),
        ("UPDATE audit_events SET seq = seq + 100 WHERE seq >= 4", 4),
    ],
    ids=["edit-payload", "edit-actor", "delete-middle", "delete-tail", "renumber"],
)
def test_tampering_is_detected(audit: AuditLog, sql: str, broken: int) -> None:
    with audit.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    result = audit.verify()
    assert not result.ok
    assert result.first_broken_seq == broken
    assert result.reason


def test_inserted_event_is_detected(audit: AuditLog) -> None:
    with audit.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3"))
        conn.execute(text("UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100"))
        row = conn.execute(text("SELECT * FROM audit_events WHERE seq = 2")).mappings().one()
        values = dict(row) | {"seq": 3, "payload": '{"forged":true}', "prev_hash": "e" * 64, "hash": "f" * 64}
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, ts, event_type, actor, conversation_id, payload, refs, prev_hash, hash)"
                " VALUES (:seq, :ts, :event_type, :actor, :conversation_id, :payload, :refs, :prev_hash, :hash)"
            ),
            values,
        )
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == 3


def test_reordered_events_are_detected(audit: AuditLog) -> None:
    with audit.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = 1000 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = 1000"))
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == 2


def test_concurrent_appends_keep_one_chain(settings: Settings) -> None:
    log = AuditLog(open_app_db(settings.app_db_url))
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            other = AuditLog(open_app_db(settings.app_db_url))
            for i in range(15):
                other.append("message", actor=f"w{n}", conversation_id=f"t{n}", payload={"i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = log.verify()
    assert result.ok and result.checked == 60


def test_exported_subset_verifies_offline(audit: AuditLog) -> None:
    events = [e.to_dict() for e in audit.events(conversation_id="c0")]
    assert verify_chain_of(events).ok
    events[1]["payload"]["i"] = 42
    assert not verify_chain_of(events).ok
