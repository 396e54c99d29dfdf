"""Executing approved writes exactly once (idempotency keys), drafting them, and listing what was done."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, RowMapping, insert, select
from sqlalchemy.exc import IntegrityError

from core.domain import ActionKind
from sandbox.action_rules import prepare
from sandbox.actions_schema import actions
from sandbox.queries import find_payment
from sandbox.routes_common import ApiError
from tools.models import ACTION_ARG_MODELS

# One writer at a time inside this process keeps check-then-write atomic on SQLite.
_WRITE_LOCK = threading.Lock()


def validation_message(exc: ValidationError) -> str:
    """A one-line summary of pydantic errors: ``field: problem; ...``."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def validate_args(kind: ActionKind, raw: Any) -> BaseModel:
    """The typed arguments of ``kind`` (422 ``validation_error`` when they do not fit)."""
    if not isinstance(raw, dict):
        raise ApiError(422, "validation_error", "the request body must be a JSON object of arguments")
    try:
        return ACTION_ARG_MODELS[kind].model_validate(raw)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", validation_message(exc)) from exc


def _canonical(kind: ActionKind, args: BaseModel) -> str:
    return json.dumps(
        {"kind": kind.value, "args": args.model_dump(mode="json")}, sort_keys=True, separators=(",", ":")
    )


def _message_dict(prepared_message: Any) -> dict[str, Any] | None:
    return prepared_message.as_dict() if prepared_message is not None else None


def draft(engine: Engine, kind: ActionKind, raw: Any) -> dict[str, Any]:
    """Validate ``raw`` and check the rules of ``kind``; return the message draft. Changes nothing."""
    args = validate_args(kind, raw)
    # random, never derived from the arguments: two proposals of the same action carry different MsgIds
    msg_id = "DRAFT-" + secrets.token_hex(8).upper()
    with engine.connect() as conn:
        prepared = prepare(conn, kind, args, msg_id)
        conn.rollback()
    message = _message_dict(prepared.message)
    return {
        "kind": kind.value,
        "arguments": args.model_dump(mode="json"),
        "payment_id": prepared.payment["id"] if prepared.payment is not None else None,
        "message_type": message["message_type"] if message else None,
        "xml": message["xml"] if message else None,
        "xsd_validated": bool(message and message["xsd_validated"]),
        "message": message,
    }


def _replay(row: RowMapping, kind: ActionKind, args_hash: str) -> dict[str, Any]:
    if row["kind"] != kind.value or row["args_hash"] != args_hash:
        raise ApiError(
            409,
            "idempotency_conflict",
            f"idempotency key already used by action {row['id']} with different arguments",
        )
    body = json.loads(row["result"])
    body["replayed"] = True
    return body


def _lookup(conn: Connection, key: str) -> RowMapping | None:
    return conn.execute(select(actions).where(actions.c.idempotency_key == key)).mappings().first()


def execute(
    engine: Engine, kind: ActionKind, raw: Any, *, idempotency_key: str, approval_ref: str
) -> dict[str, Any]:
    """Run an approved write once: a replayed key returns the first result with ``replayed: true``."""
    args = validate_args(kind, raw)
    canonical = _canonical(kind, args)
    args_hash = hashlib.sha256(canonical.encode()).hexdigest()
    with engine.connect() as conn:
        existing = _lookup(conn, idempotency_key)
    if existing is not None:
        return _replay(existing, kind, args_hash)
    action_id = "ACT-" + secrets.token_hex(6).upper()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        with _WRITE_LOCK, engine.begin() as conn:
            existing = _lookup(conn, idempotency_key)
            if existing is not None:
                return _replay(existing, kind, args_hash)
            prepared = prepare(conn, kind, args, action_id)
            effects = prepared.apply(conn, now)
            case_id = effects.get("case_id") or prepared.case_id
            payment_id = prepared.payment["id"] if prepared.payment is not None else None
            message = _message_dict(prepared.message)
            body = {
                "action_id": action_id,
                "kind": kind.value,
                "status": "executed",
                "payment_id": payment_id,
                "case_id": case_id,
                "arguments": args.model_dump(mode="json"),
                "approval_ref": approval_ref,
                "idempotency_key": idempotency_key,
                "message": message,
                "effects": effects,
                "created_at": now.isoformat(),
                "replayed": False,
            }
            conn.execute(
                insert(actions).values(
                    id=action_id,
                    idempotency_key=idempotency_key,
                    kind=kind.value,
                    args_hash=args_hash,
                    args=canonical,
                    approval_ref=approval_ref,
                    payment_id=payment_id,
                    case_id=case_id,
                    message_type=message["message_type"] if message else None,
                    xml=message["xml"] if message else None,
                    result=json.dumps(body),
                    created_at=now,
                )
            )
    except IntegrityError as exc:
        # Another worker stored the same key first: everything above was rolled back.
        with engine.connect() as conn:
            existing = _lookup(conn, idempotency_key)
        if existing is None:
            raise ApiError(
                409, "write_conflict", "a concurrent write conflicted; retry with the same key"
            ) from exc
        return _replay(existing, kind, args_hash)
    return body


def _action_view(row: RowMapping) -> dict[str, Any]:
    body = json.loads(row["result"])
    body["replayed"] = False
    return body


def list_actions(engine: Engine, *, reference: str | None, case_id: str | None, limit: int) -> dict[str, Any]:
    """Executed actions, newest first, optionally for one payment or one case."""
    query = select(actions).order_by(actions.c.seq.desc()).limit(limit)
    with engine.connect() as conn:
        if reference:
            query = query.where(actions.c.payment_id == find_payment(conn, reference)["id"])
        if case_id:
            query = query.where(actions.c.case_id == case_id)
        rows = [_action_view(r) for r in conn.execute(query).mappings()]
    return {"count": len(rows), "actions": rows}


def get_action(engine: Engine, action_id: str) -> dict[str, Any]:
    """One executed action by id (404 ``action_not_found``)."""
    with engine.connect() as conn:
        row = conn.execute(select(actions).where(actions.c.id == action_id)).mappings().first()
    if row is None:
        raise ApiError(404, "action_not_found", f"no action {action_id[:40]}")
    return _action_view(row)
