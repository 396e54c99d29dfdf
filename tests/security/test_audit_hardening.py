"""Audit: hostile actor names are normalised, refusals and reads are events, the head is anchored outside the DB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.audit import AuditLog
from core.audit_anchor import AnchorError, AnchorWriter, verify_with_anchor
from core.audit_hash import GENESIS_HASH, canonical_json, compute_hash, extract_refs, normalise_actor
from core.cli import app as cli
from core.schema import open_app_db
from core.settings import Settings, get_settings


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("admin1\nlogin ok", "admin1 login ok"),
        ("\u202eadmin1", "admin1"),  # right-to-left override
        ("ana\u200blyst1", "ana lyst1"),  # a zero-width space becomes a visible gap
        ("x" * 500, "x" * 64),
        ("\x1b[31mroot\x1b[0m", "[31mroot [0m"),
        ("", "unknown"),
    ],
)
def test_actor_names_are_normalised_and_bounded(raw: str, stored: str) -> None:
    assert normalise_actor(raw) == stored


def _log(tmp_path: Path) -> tuple[AuditLog, AnchorWriter]:
    anchor = AnchorWriter(tmp_path / "anchor.json", "k" * 32)
    return AuditLog(open_app_db(f"sqlite:///{tmp_path / 'app.db'}"), anchor=anchor), anchor


def test_failed_login_with_a_hostile_name_is_stored_normalised(tmp_path: Path) -> None:
    log, _ = _log(tmp_path)
    event = log.append("login_failed", actor="\u202eevil\nadmin", payload={})
    assert event.actor == "evil admin" and log.verify().ok


def _rewrite_whole_chain(log: AuditLog, keep: int) -> None:
    """The attacker with DB write access: drop events after ``keep``, recompute every hash and the head."""
    with log.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_events WHERE seq > {keep}")
        rows = conn.exec_driver_sql(
            "SELECT seq, ts, event_type, actor, conversation_id, payload FROM audit_events ORDER BY seq"
        ).all()
        prev = GENESIS_HASH
        for seq, ts, event_type, actor, conv, payload in rows:
            body = json.loads(payload)
            if seq == 2:
                body = {"forged": True}
            digest = compute_hash(seq=seq, ts=ts, event_type=event_type, actor=actor,
                                  conversation_id=conv, payload=body, prev_hash=prev)  # fmt: skip
            conn.exec_driver_sql(
                "UPDATE audit_events SET payload = ?, refs = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (canonical_json(body), extract_refs(body), prev, digest, seq),
            )
            prev = digest
        conn.exec_driver_sql("UPDATE audit_head SET seq = ?, hash = ?", (len(rows), prev))


@pytest.mark.parametrize("keep", [5, 3])  # rewrite in place; rewrite and cut the last events
def test_anchor_detects_a_rewritten_or_shortened_chain(tmp_path: Path, keep: int) -> None:
    log, anchor = _log(tmp_path)
    for n in range(5):
        log.append("agent.user_message", actor="analyst1", payload={"n": n})
    saved = tmp_path / "copy-of-anchor.json"
    shutil.copy(anchor.path, saved)  # what compliance keeps off the machine
    _rewrite_whole_chain(log, keep)
    assert log.verify().ok  # the database alone cannot tell
    result = verify_with_anchor(log, anchor.read(saved))
    assert not result.ok and ("rewritten" in result.reason or "deleted" in result.reason)


def test_forged_anchor_file_is_refused(tmp_path: Path) -> None:
    log, anchor = _log(tmp_path)
    log.append("x", actor="a", payload={})
    doc = json.loads(anchor.path.read_text())
    doc["seq"] = 0
    anchor.path.write_text(json.dumps(doc))
    with pytest.raises(AnchorError):
        anchor.read()


def test_cli_verify_with_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        from core.audit_anchor import open_audit_log

        settings = Settings(data_dir=tmp_path / "data")
        log = open_audit_log(settings)
        for n in range(4):
            log.append("agent.user_message", actor="analyst1", payload={"n": n})
        anchor = settings.resolved_data_dir / "audit-anchor.json"
        ok = CliRunner().invoke(cli, ["audit", "verify", "--anchor", str(anchor)])
        assert ok.exit_code == 0, ok.output
        _rewrite_whole_chain(log, 2)
        assert CliRunner().invoke(cli, ["audit", "verify"]).exit_code == 0
        broken = CliRunner().invoke(cli, ["audit", "verify", "--anchor", str(anchor), "--json"])
        assert broken.exit_code == 1 and json.loads(broken.stdout)["ok"] is False
    finally:
        get_settings.cache_clear()


async def test_refused_decisions_are_audited(settings: Settings, tmp_path: Path) -> None:
    from agent.approvals import Principal
    from agent.errors import ApprovalLimitExceeded, FourEyesViolation, NotAuthorised
    from tests.app.real_agent import build_real_service

    log = AuditLog(open_app_db(settings.app_db_url))
    service, _port, _ = build_real_service(settings, log, tmp_path)
    try:
        result = await service.ask("Customer says 97ed4827-7b6f-4491-a06f-b548d5a7512d never arrived")
        await service.submit(result.thread_id, user="analyst1")
        pid = result.proposals[0]["id"]
        approve = [{"proposal_id": pid, "action": "approve"}]
        attempts = [
            (Principal(username="analyst1", role="supervisor", approval_limit_eur=1e9), FourEyesViolation),
            (
                Principal(username="supervisor1", role="supervisor", approval_limit_eur=1.0),
                ApprovalLimitExceeded,
            ),
            (Principal(username="analyst2", role="analyst"), NotAuthorised),
        ]
        for who, error in attempts:
            with pytest.raises(error):
                await service.decide(result.thread_id, approve, who)
    finally:
        await service.aclose()
    refused = [e for e in log.events() if e.event_type == "agent.decision_refused"]
    assert [(e.actor, e.payload["code"]) for e in refused] == [
        ("analyst1", "four_eyes_violation"),
        ("supervisor1", "approval_limit_exceeded"),
        ("analyst2", "not_authorised"),
    ]


def test_role_refusals_and_audit_reads_are_events_and_the_console_sees_the_anchor(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.server import create_app
    from tests.app.conftest import login
    from tests.app.fakes import fast_hasher

    web = create_app(Settings(data_dir=tmp_path / "data"), mount_sandbox=False, start_agent=False)
    web.state.users.hasher = fast_hasher()
    web.state.users.ensure_demo_users()
    with TestClient(web):
        analyst = login(TestClient(web), "analyst1")
        compliance = login(TestClient(web), "compliance1")
        assert analyst.get("/api/compliance/verify").status_code == 403
        assert analyst.post("/api/approvals/t1/decide", json={"decisions": []}).status_code == 403
        assert compliance.get("/api/compliance/search", params={"user": "analyst1"}).status_code == 200
        verified = compliance.get("/api/compliance/verify").json()
    events = [(e.event_type, e.actor) for e in web.state.audit.events()]
    assert ("access_refused", "analyst1") in events and ("audit_read", "compliance1") in events
    assert events.count(("access_refused", "analyst1")) == 2
    assert verified["ok"] and verified["anchor"]["ok"] and verified["anchor"]["seq"] >= len(events) - 1
