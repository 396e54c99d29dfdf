"""RFC 8785 audit hashes: an old chain keeps verifying after 0007_audit_canon and continues in a new segment;
the standalone verifier of docs/audit.md agrees with `payinvest audit verify` on an exported chain."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.audit import AuditLog, chain_export
from core.audit_hash import CANON_JCS, CANON_LEGACY, GENESIS_HASH, canonical_json, compute_hash
from core.db import get_engine
from core.migrate import current_revision, upgrade
from core.schema import APP_DATABASE
from tests.conftest import PROJECT_ROOT

LEGACY_PAYLOADS = [
    {"text": "Zahlung über 1.000,00 €"},
    {"amount": 1.5, "ok": True},
    {"nested": {"b": 2, "a": [1, None]}},
]


def _legacy_database(tmp_path: Path) -> Engine:
    """An application database at 0005_obs with three events hashed the old way, as a deployment has it."""
    engine = get_engine(f"sqlite:///{tmp_path / 'app.db'}", foreign_keys=APP_DATABASE.foreign_keys)
    upgrade(engine, APP_DATABASE, "0005_obs")
    prev = GENESIS_HASH
    with engine.begin() as conn:
        for seq, payload in enumerate(LEGACY_PAYLOADS, start=1):
            fields = dict(seq=seq, ts=f"2026-11-0{seq}T10:00:00.000000+00:00", event_type="agent.answer",
                          actor="analyst1", conversation_id="t1", payload=payload, prev_hash=prev)  # fmt: skip
            digest = compute_hash(**fields, canon=CANON_LEGACY)
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, ts, event_type, actor, conversation_id, payload, refs, "
                    "prev_hash, hash) VALUES (:seq, :ts, :event_type, :actor, :conversation_id, :payload, ' ', "
                    ":prev_hash, :hash)"
                ),
                {**fields, "payload": canonical_json(payload), "hash": digest},
            )
            prev = digest
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, :h)"), {"h": prev})
    return engine


def test_old_events_verify_after_the_migration_and_new_ones_use_rfc8785(tmp_path: Path) -> None:
    engine = _legacy_database(tmp_path)
    old_head = engine.connect().execute(text("SELECT hash FROM audit_head")).scalar_one()
    upgrade(engine, APP_DATABASE, force=True)
    assert current_revision(engine, APP_DATABASE) == "0007_audit_canon"
    log = AuditLog(engine)
    assert log.verify().ok and log.verify().checked == 3
    event = log.append(
        "agent.answer", actor="analyst1", conversation_id="t1", payload={"text": "Ünïcode ✓", "n": 1.0}
    )
    assert event.canon == CANON_JCS and event.prev_hash == old_head  # the new segment starts at the old head
    result = log.verify()
    assert result.ok and result.checked == 4 and result.head_hash == event.hash
    canons = [e.canon for e in log.events()]
    assert canons == [CANON_LEGACY] * 3 + [CANON_JCS]


@pytest.mark.parametrize(
    ("tamper", "seq"),
    [
        ('UPDATE audit_events SET payload = \'{"amount":2.5,"ok":true}\' WHERE seq = 2', 2),  # an old event
        ("UPDATE audit_events SET actor = 'someone' WHERE seq = 4", 4),  # a new event
    ],
)
def test_tampering_is_found_in_either_segment(tmp_path: Path, tamper: str, seq: int) -> None:
    engine = _legacy_database(tmp_path)
    upgrade(engine, APP_DATABASE, force=True)
    log = AuditLog(engine)
    log.append("agent.answer", actor="analyst1", payload={"text": "new"})
    with engine.begin() as conn:
        conn.exec_driver_sql(tamper)
    result = log.verify()
    assert not result.ok and result.first_broken_seq == seq


def test_a_payload_outside_the_rfc8785_domain_is_hashed_the_old_way_and_verifies(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'app.db'}", foreign_keys=APP_DATABASE.foreign_keys)
    upgrade(engine, APP_DATABASE)
    log = AuditLog(engine)
    assert log.append("x", actor="a", payload={"big": 2**60}).canon == CANON_LEGACY
    assert log.append("x", actor="a", payload={"small": 2**40}).canon == CANON_JCS
    assert log.verify().ok


def _documented_verifier(tmp_path: Path) -> Path:
    doc = (PROJECT_ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    [code] = re.findall(r"<!-- standalone-verifier -->\n```python\n(.*?)```", doc, flags=re.S)
    assert len([line for line in code.splitlines() if line.strip()]) <= 35  # short enough to read in a review
    script = tmp_path / "verify_chain.py"
    script.write_text(code, encoding="utf-8")
    return script


def _run(script: Path, chain: dict, tmp_path: Path) -> tuple[int, dict]:
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(chain, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(path)], capture_output=True, text=True, timeout=60
    )
    return done.returncode, json.loads(done.stdout)


def test_the_documented_verifier_agrees_with_audit_verify(tmp_path: Path) -> None:
    engine = _legacy_database(tmp_path)
    upgrade(engine, APP_DATABASE, force=True)
    log = AuditLog(engine)
    for n in range(3):
        log.append("agent.tool_result", actor="analyst1", payload={"n": n, "amount": 12.30, "name": "Zoë"})
    script = _documented_verifier(tmp_path)
    code, theirs = _run(script, chain_export(log), tmp_path)
    ours = log.verify().to_dict()
    assert code == 0 and theirs == {**ours, "reason": None}

    with engine.begin() as conn:  # an edit in the RFC 8785 segment
        conn.exec_driver_sql("UPDATE audit_events SET payload = '{\"n\":9}' WHERE seq = 5")
    code, theirs = _run(script, chain_export(log), tmp_path)
    ours = log.verify().to_dict()
    assert code == 1 and not ours["ok"]
    assert (
        (theirs["checked"], theirs["first_broken_seq"])
        == (ours["checked"], ours["first_broken_seq"])
        == (4, 5)
    )
