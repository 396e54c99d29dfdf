"""No request to the payments API executes anything without the app's token and a valid, unreplayed approval."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from core.approval_tokens import ApprovalSigner, payments_api_token, signer_from_settings
from core.audit import AuditLog
from core.schema import open_app_db
from core.settings import Settings
from sandbox.actions_schema import actions
from sandbox.api import create_app
from sandbox.queries import count_rows
from sandbox.schema import cases, holds, payments, returns
from tests.approvals import api_headers, normalised, sign_ref
from tests.sandbox_api.factories import small_engine

RECALL = {"reference": "PAY-00000001", "reason_code": "FRAD"}
TABLES = (actions, cases, holds, payments, returns)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: count_rows(conn, t) for t in TABLES}


@pytest.fixture
def engine(tmp_path: Any) -> Engine:
    return small_engine(str(tmp_path / "payments.db"))


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(open_app_db(settings.app_db_url))


@pytest.fixture
def client(settings: Settings, engine: Engine, audit: AuditLog) -> Any:
    with TestClient(create_app(settings, engine=engine, audit=audit), headers=api_headers(settings)) as c:
        yield c


def _write(client: TestClient, kind: str, args: dict[str, Any], key: str, ref: str) -> Any:
    return client.post(
        f"/v1/actions/{kind}", json=args, headers={"Idempotency-Key": key, "X-Approval-Ref": ref}
    )


def _types(audit: AuditLog) -> list[str]:
    return [e.event_type for e in audit.events()]


def test_token_is_generated_into_the_data_dir_and_stable(settings: Settings) -> None:
    first = payments_api_token(settings)
    assert len(first) >= 40 and payments_api_token(settings) == first
    path = settings.resolved_data_dir / "secrets" / "payments-api.token"
    assert path.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_no_token_no_answer_and_refused_writes_are_audited(
    settings: Settings, engine: Engine, audit: AuditLog
) -> None:
    before = _counts(engine)
    with TestClient(create_app(settings, engine=engine, audit=audit)) as anon:
        assert anon.get("/v1/payments/PAY-00000001").status_code == 401
        assert anon.get("/v1/payments", params={"party": "a"}).status_code == 401
        assert anon.get("/openapi.json").status_code == 401
        ref = sign_ref(settings, "recall", RECALL, "k-anon")  # even a genuine approval needs the token
        res = _write(anon, "recall", RECALL, "k-anon", ref)
        assert res.status_code == 401 and res.json()["error"]["code"] == "unauthorized"
        wrong = anon.get("/v1/payments/PAY-00000001", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
    assert _counts(engine) == before
    assert _types(audit) == ["payments_api.unauthorized"]


def test_mounted_api_in_the_web_app_requires_the_token(settings: Settings) -> None:
    from app.server import create_app as create_web_app

    web = create_web_app(settings, start_agent=False)
    with TestClient(web) as browser:
        res = browser.post(
            "/payments-api/v1/actions/recall",
            json=RECALL,
            headers={"Idempotency-Key": "k", "X-Approval-Ref": "x"},
        )
        assert res.status_code == 401
        assert browser.get("/payments-api/v1/payments/PAY-00000001").status_code == 401
        login_page = browser.get("/")
        assert payments_api_token(settings) not in login_page.text


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "attacker.test:8000"])
def test_unknown_host_is_refused(client: TestClient, host: str) -> None:
    res = client.get("/v1/payments/PAY-00000001", headers={"Host": host})
    assert res.status_code == 400


def test_loopback_host_is_served(settings: Settings, engine: Engine, audit: AuditLog) -> None:
    app = create_app(settings, engine=engine, audit=audit)
    with TestClient(app, base_url="http://127.0.0.1:8000", headers=api_headers(settings)) as c:
        assert c.get("/v1/payments/PAY-00000001").status_code == 200


def test_valid_approval_executes_once_then_replays_are_refused(
    settings: Settings, client: TestClient, engine: Engine, audit: AuditLog
) -> None:
    ref = sign_ref(settings, "recall", RECALL, "k-1")
    first = _write(client, "recall", RECALL, "k-1", ref)
    assert first.status_code == 200, first.text
    stored = first.json()["approval_ref"]
    assert stored.startswith("prop-test/supervisor1/")
    after = _counts(engine)
    replay = _write(client, "recall", RECALL, "k-1", ref)
    assert replay.status_code == 403 and replay.json()["error"]["code"] == "approval_replayed"
    # A retry after a crash carries a freshly issued reference for the same key: answered, not re-executed.
    retry = _write(client, "recall", RECALL, "k-1", sign_ref(settings, "recall", RECALL, "k-1"))
    assert retry.status_code == 200 and retry.json()["replayed"] is True
    assert _counts(engine) == after
    events = audit.events()
    assert [e.event_type for e in events] == [
        "payments_api.action_executed",
        "payments_api.action_refused",
        "payments_api.action_executed",
    ]
    assert events[0].actor == "supervisor1" and events[0].payload["requester"] == "analyst1"
    assert events[1].payload["code"] == "approval_replayed" and events[2].payload["replayed"] is True
    assert audit.verify().ok


def _forged(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return ApprovalSigner("not-the-approval-service-key").issue(
        proposal_id="p", kind=kind, args=normalised(kind, args), approver="sup", requester="ana",
        idempotency_key=key,
    )  # fmt: skip


def _tampered(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return sign_ref(settings, kind, {**args, "additional_info": "approved text"}, key)


def _other_key(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return sign_ref(settings, kind, args, key + "-other")


def _other_kind(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    other = "escalate" if kind != "escalate" else "recall"
    return sign_ref(settings, other, args, key)


def _self_approved(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return sign_ref(settings, kind, args, key, approver="analyst1", requester="analyst1")


def _expired(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    old = signer_from_settings(settings)
    old._clock = lambda: 1_000_000.0
    return old.issue(
        proposal_id="p", kind=kind, args=normalised(kind, args), approver="sup", requester="ana",
        idempotency_key=key,
    )  # fmt: skip


def _legacy(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return "prop-1/supervisor2"  # the unsigned form the API used to accept


def _truncated(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    return sign_ref(settings, kind, args, key)[:-3]


def _payload_swapped(settings: Settings, kind: str, args: dict[str, Any], key: str) -> str:
    genuine = sign_ref(settings, kind, args, key).split(".")
    other = sign_ref(settings, kind, {**args, "reason": "x"}, key).split(".")
    return ".".join([genuine[0], other[1], genuine[2]])


BAD_REFS = {
    "forged": (_forged, 401, "approval_invalid"),
    "legacy_unsigned": (_legacy, 401, "approval_invalid"),
    "truncated": (_truncated, 401, "approval_invalid"),
    "payload_swapped": (_payload_swapped, 401, "approval_invalid"),
    "tampered_args": (_tampered, 403, "approval_mismatch"),
    "other_key": (_other_key, 403, "approval_mismatch"),
    "other_kind": (_other_kind, 403, "approval_mismatch"),
    "self_approved": (_self_approved, 403, "approval_mismatch"),
    "expired": (_expired, 403, "approval_expired"),
}

WRITES = {
    "recall": RECALL,
    "return_funds": {"reference": "PAY-00000004", "reason_code": "AM05"},
    "release_hold": {"reference": "PAY-00000005", "reason": "cleared"},
    "open_case": {"reference": "PAY-00000001", "case_type": "general", "summary": "check"},
    "escalate": {"case_id": "CASE-000001", "level": "fraud", "reason": "pattern"},
    "request_info": {"reference": "PAY-00000005", "reason_code": "PURP", "questions": "why?"},
}


@pytest.mark.parametrize("attack", sorted(BAD_REFS))
@pytest.mark.parametrize("kind", sorted(WRITES))
def test_no_write_executes_without_a_valid_approval(
    settings: Settings, client: TestClient, engine: Engine, audit: AuditLog, kind: str, attack: str
) -> None:
    make, status, code = BAD_REFS[attack]
    args = WRITES[kind]
    before = _counts(engine)
    res = _write(client, kind, args, "k-attack", make(settings, kind, args, "k-attack"))
    assert res.status_code == status, res.text
    assert res.json()["error"]["code"] == code
    assert _counts(engine) == before
    [event] = audit.events()
    assert event.event_type == "payments_api.action_refused" and event.payload["code"] == code
    # The same request with a genuine reference does execute: the refusal was the reference's doing.
    ok = _write(client, kind, args, "k-attack", sign_ref(settings, kind, args, "k-attack"))
    assert ok.status_code == 200, ok.text


def test_oversized_or_junk_reference_is_a_typed_error(client: TestClient, engine: Engine) -> None:
    before = _counts(engine)
    for ref in ("apr1." + "A" * 5000 + ".x", "apr1..", "a" * 101):
        res = _write(client, "recall", RECALL, "k-junk", ref)
        assert res.status_code in (400, 401), res.text
        assert res.json()["error"]["code"] in ("approval_invalid", "invalid_header")
    assert _counts(engine) == before


def test_business_rule_refusal_of_an_approved_write_is_audited(
    settings: Settings, client: TestClient, audit: AuditLog
) -> None:
    args = {"reference": "PAY-00000003", "reason_code": "DUPL"}  # a rejected payment cannot be recalled
    res = _write(client, "recall", args, "k-rj", sign_ref(settings, "recall", args, "k-rj"))
    assert res.status_code == 409
    [event] = audit.events()
    assert event.event_type == "payments_api.action_refused"
    assert event.payload["code"] == "payment_rejected" and event.payload["proposal_id"] == "prop-test"
