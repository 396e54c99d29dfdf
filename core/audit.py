"""Append-only, hash-chained audit record of everything the assistant and its users do."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from core.audit_hash import (
    CANON_JCS,
    CANON_LEGACY,
    CANONS,
    GENESIS_HASH,
    canon_for,
    canonical_json,
    compute_hash,
    extract_refs,
    normalise_actor,
)
from core.metrics import AUDIT_APPEND_LATENCY
from core.schema import metadata

__all__ = [
    "GENESIS_HASH",
    "AuditEvent",
    "AuditLog",
    "VerifyResult",
    "canonical_json",
    "compute_hash",
    "extract_refs",
    "verify_chain_of",
]

HEAD_ID = 1


audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("conversation_id", String(128), nullable=True),
    Column("payload", Text, nullable=False),
    Column("refs", Text, nullable=False, default=" "),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # How the hash was canonicalised (core.audit_hash.CANONS); rows older than migration 0006: json-sorted-v1.
    Column("canon", String(16), nullable=False, server_default=CANON_LEGACY),
    UniqueConstraint("prev_hash", name="uq_audit_prev_hash"),
    Index("ix_audit_conversation", "conversation_id"),
    Index("ix_audit_actor", "actor"),
    Index("ix_audit_type", "event_type"),
    Index("ix_audit_ts", "ts"),
)

# One row holding the chain head: it serialises appends on Postgres and detects a truncated tail.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)


@dataclass(frozen=True)
class AuditEvent:
    """One link of the chain as stored."""

    seq: int
    ts: str
    event_type: str
    actor: str
    conversation_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    canon: str = CANON_JCS  # the canonicalisation of this event's hash (core.audit_hash)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a full chain verification."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_seq": self.first_broken_seq,
            "reason": self.reason,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AuditLog:
    """Append, query and verify the hash-chained audit record in the application database."""

    def __init__(self, engine: Engine, *, anchor: Any | None = None) -> None:
        self.engine = engine
        self.anchor = anchor  # core.audit_anchor.AnchorWriter: signed head checkpoint outside the DB
        # Another process may create the head row at the same moment: the loser's insert fails harmlessly.
        with contextlib.suppress(IntegrityError), engine.begin() as conn:
            if conn.execute(select(audit_head.c.id)).first() is None:
                conn.execute(insert(audit_head).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH))

    def _lock(self, conn: Connection) -> None:
        """Take the chain's write lock so concurrent appends queue instead of forking the chain."""
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7310042)"))
        # The head-row update is the portable lock (row lock on every other database).
        conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID).values(id=HEAD_ID))

    def append(
        self,
        event_type: str,
        *,
        actor: str,
        conversation_id: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Add one event at the end of the chain and return it as stored."""
        with AUDIT_APPEND_LATENCY.time():
            return self._append(event_type, actor, conversation_id, payload)

    def _append(
        self, event_type: str, actor: str, conversation_id: str | None, payload: dict[str, Any] | None
    ) -> AuditEvent:
        payload = json.loads(canonical_json(payload or {}))
        actor = normalise_actor(actor)
        with self.engine.connect() as conn:
            try:
                self._lock(conn)
                head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
                seq, prev_hash = head.seq + 1, head.hash
                ts = _now()
                canon = canon_for(payload)
                digest = compute_hash(
                    seq=seq,
                    ts=ts,
                    event_type=event_type,
                    actor=actor,
                    conversation_id=conversation_id,
                    payload=payload,
                    prev_hash=prev_hash,
                    canon=canon,
                )
                conn.execute(
                    insert(audit_events).values(
                        seq=seq,
                        ts=ts,
                        event_type=event_type,
                        actor=actor,
                        conversation_id=conversation_id,
                        payload=canonical_json(payload),
                        refs=extract_refs(payload),
                        prev_hash=prev_hash,
                        hash=digest,
                        canon=canon,
                    )
                )
                conn.execute(
                    update(audit_head).where(audit_head.c.id == HEAD_ID).values(seq=seq, hash=digest)
                )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        if self.anchor is not None:
            try:  # the event is stored; a failed checkpoint shows as a stale anchor, never a lost event
                self.anchor.write(seq, digest)
            except OSError:
                logging.getLogger(__name__).exception("could not write the audit anchor")
        return AuditEvent(seq, ts, event_type, actor, conversation_id, payload, prev_hash, digest, canon)

    def _rows(self, stmt: Any) -> Iterator[AuditEvent]:
        with self.engine.connect() as conn:
            for row in conn.execute(stmt):
                yield _to_event(row)

    def events(
        self,
        *,
        conversation_id: str | None = None,
        actor: str | None = None,
        event_type: str | None = None,
        since: str | None = None,
        until: str | None = None,
        reference: str | None = None,
        action_kind: str | None = None,
        after_seq: int = 0,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Events matching every given filter, oldest first."""
        stmt = select(audit_events).where(audit_events.c.seq > after_seq)
        if conversation_id is not None:
            stmt = stmt.where(audit_events.c.conversation_id == conversation_id)
        if actor is not None:
            stmt = stmt.where(audit_events.c.actor == actor)
        if event_type is not None:
            stmt = stmt.where(audit_events.c.event_type == event_type)
        if since is not None:
            stmt = stmt.where(audit_events.c.ts >= since)
        if until is not None:
            stmt = stmt.where(audit_events.c.ts <= until)
        if reference:
            stmt = stmt.where(audit_events.c.refs.contains(f" {reference.strip().lower()} ", autoescape=True))
        if action_kind:
            stmt = stmt.where(audit_events.c.refs.contains(f" kind:{action_kind} ", autoescape=True))
        return list(self._rows(stmt.order_by(audit_events.c.seq).limit(limit)))

    def conversations(self, **filters: Any) -> list[dict[str, Any]]:
        """Conversations with at least one event matching the filters: id, first/last time, actors, count."""
        summary: dict[str, dict[str, Any]] = {}
        for event in self.events(limit=100_000, **filters):
            if not event.conversation_id:
                continue
            item = summary.setdefault(
                event.conversation_id,
                {"conversation_id": event.conversation_id, "first_ts": event.ts, "actors": [], "matches": 0},
            )
            item["last_ts"] = event.ts
            item["matches"] += 1
            if event.actor not in item["actors"]:
                item["actors"].append(event.actor)
        return sorted(summary.values(), key=lambda item: item["first_ts"], reverse=True)

    def verify(self) -> VerifyResult:
        """Walk the whole chain; report the first link that was edited, deleted, inserted or reordered."""
        expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
        with self.engine.connect() as conn:
            head = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
            head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
            # The chain up to the head read above: an event appended meanwhile (each append commits its row
            # and the head together) belongs to the next verification, not to a false "broken" here.
            rows = conn.execute(
                select(audit_events).where(audit_events.c.seq <= head_seq).order_by(audit_events.c.seq)
            )
            for row in rows:
                broken = _check_row(row, expected_seq, prev_hash)
                if broken:
                    return VerifyResult(False, checked, min(row.seq, expected_seq), broken)
                checked += 1
                expected_seq, prev_hash = row.seq + 1, row.hash
            beyond = conn.execute(select(func.count()).where(audit_events.c.seq > head_seq)).scalar() or 0
            now = conn.execute(select(audit_head.c.seq)).scalar() or 0
        if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
            reason = f"chain ends at seq {expected_seq - 1} but the recorded head is seq {head_seq}"
            return VerifyResult(False, checked, expected_seq, reason, head_seq, head_hash)
        if beyond > now - head_seq:  # rows past the head that no append recorded: inserted behind its back
            reason = f"{beyond - (now - head_seq)} event(s) after seq {head_seq} are not in the recorded head"
            return VerifyResult(False, checked, head_seq + 1, reason, head_seq, head_hash)
        return VerifyResult(True, checked, None, None, head_seq, head_hash)


def _check_row(row: Any, expected_seq: int, prev_hash: str) -> str | None:
    """Why this stored row does not continue the chain, or None when it does."""
    if row.seq != expected_seq:
        return f"expected seq {expected_seq}, found seq {row.seq} (event deleted or inserted)"
    if row.prev_hash != prev_hash:
        return f"seq {row.seq}: prev_hash does not match the hash of seq {row.seq - 1}"
    try:
        payload = json.loads(row.payload)
    except ValueError:
        return f"seq {row.seq}: payload is not valid JSON"
    digest = compute_hash(
        seq=row.seq,
        ts=row.ts,
        event_type=row.event_type,
        actor=row.actor,
        conversation_id=row.conversation_id,
        payload=payload,
        prev_hash=row.prev_hash,
        canon=row.canon,
    )
    if digest != row.hash:
        return f"seq {row.seq}: content does not match its hash (event edited)"
    return None


def _to_event(row: Any) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        ts=row.ts,
        event_type=row.event_type,
        actor=row.actor,
        conversation_id=row.conversation_id,
        payload=json.loads(row.payload),
        prev_hash=row.prev_hash,
        hash=row.hash,
        canon=row.canon,
    )


CHAIN_FORMAT = "payinvest-audit-chain/1"


def chain_export(log: AuditLog) -> dict[str, Any]:
    """The whole chain as another tool needs it to re-verify (docs/audit.md: the standalone verifier)."""
    result = log.verify()
    with log.engine.connect() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.seq))
        events = [_to_event(row).to_dict() for row in rows]
    return {
        "format": CHAIN_FORMAT,
        "genesis_hash": GENESIS_HASH,
        "hash": "sha256 over the canonical JSON of {seq, ts, event_type, actor, conversation_id, payload, prev_hash}",
        "canons": {
            CANON_JCS: "RFC 8785 JSON Canonicalization Scheme",
            CANON_LEGACY: "json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False), UTF-8",
        },
        "head": {"seq": result.head_seq, "hash": result.head_hash},
        "verified_here": result.to_dict(),
        "events": events,
    }


def verify_chain_of(events: list[dict[str, Any]]) -> VerifyResult:
    """Verify an exported list of event dicts on its own (used to check an evidence pack offline)."""
    checked: int = 0
    prev: str | None = None
    prev_seq = 0
    for event in events:
        # A conversation's events are a subset of the chain: links are checked between consecutive seqs.
        if prev is not None and event["seq"] == prev_seq + 1 and event["prev_hash"] != prev:
            return VerifyResult(False, checked, event["seq"], "prev_hash does not match the previous event")
        fields = {
            k: event[k]
            for k in ("seq", "ts", "event_type", "actor", "conversation_id", "payload", "prev_hash")
        }
        canon = event.get("canon", CANON_LEGACY)  # packs exported before 0006 carry no canon
        if canon not in CANONS or compute_hash(**fields, canon=canon) != event["hash"]:
            return VerifyResult(False, checked, event["seq"], "content does not match its hash")
        prev, prev_seq, checked = event["hash"], event["seq"], checked + 1
    return VerifyResult(True, checked)
