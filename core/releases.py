"""Releases: the manifests an evaluation gate passed, which one serves, and how to go back.

A release is the ``manifest`` of an eval ``report.json`` (model SHA-256, prompt versions, classifier version,
SOP corpus hash, thresholds version, config digest, git commit) plus the report's id. Only a report whose gate
passed can be promoted. The serving release is the last promotion or rollback in ``release_events``, read by
every worker from the app database (``ServingRelease`` caches it for a few seconds), so a promotion or a
rollback reaches all workers without a redeploy. Every change is audited."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Integer, String, Table, Text, insert, select
from sqlalchemy.exc import SQLAlchemyError

from core.audit_hash import canonical_json
from core.errors import PayinvestError
from core.schema import metadata

releases_table = Table(
    "releases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("manifest", Text, nullable=False),
    Column("report_id", String(64), nullable=False),
    Column("report_path", Text, nullable=False),
    Column("registered_by", String(64), nullable=False),
    Column("registered_at", String(40), nullable=False),
)

release_events = Table(
    "release_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("release_id", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # promote | rollback
    Column("actor", String(64), nullable=False),
    Column("at", String(40), nullable=False),
)


class ReleaseError(PayinvestError):
    """A release command was refused (gate failed, unknown release, nothing to roll back to)."""

    code = "release_refused"
    http_status = 409


@dataclass(frozen=True)
class Release:
    """One registered manifest."""

    id: str
    manifest: dict[str, Any]
    report_id: str
    report_path: str
    registered_by: str
    registered_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "report_id": self.report_id,
            "report_path": self.report_path,
            "registered_by": self.registered_by,
            "registered_at": self.registered_at,
            "manifest": self.manifest,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def release_id(manifest: dict[str, Any]) -> str:
    """The content id of a manifest: the same manifest always gets the same id."""
    return "rel-" + hashlib.sha256(canonical_json(manifest).encode()).hexdigest()[:12]


def read_gated_report(path: Path) -> tuple[dict[str, Any], str]:
    """The manifest of an eval report whose gate passed, and the report id (SHA-256 of report.json)."""
    try:
        raw = path.read_bytes()
        report = json.loads(raw)
    except FileNotFoundError:
        raise ReleaseError(f"{path}: no such report (run `payinvest eval --gate --report DIR`)") from None
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not a readable report.json ({exc})") from None
    gate = report.get("gate") if isinstance(report, dict) else None
    if not isinstance(gate, dict):
        raise ReleaseError(f"{path}: the report has no gate result (run the eval with --gate)")
    if gate.get("passed") is not True:
        raise ReleaseError(f"{path}: the gate did not pass; only a gated release can be promoted")
    manifest = report.get("manifest")
    if not isinstance(manifest, dict) or not manifest:
        raise ReleaseError(f"{path}: the report carries no release manifest")
    return manifest, hashlib.sha256(raw).hexdigest()[:16]


class ReleaseStore:
    """Register, promote, roll back and list releases in the app database (audited)."""

    def __init__(self, engine: Engine, audit: Any) -> None:
        self.engine = engine
        self.audit = audit  # core.audit.AuditLog

    def _row(self, row: Any) -> Release:
        return Release(
            row.id,
            json.loads(row.manifest),
            row.report_id,
            row.report_path,
            row.registered_by,
            row.registered_at,
        )

    def get(self, rid: str) -> Release | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(releases_table).where(releases_table.c.id == rid)).first()
        return self._row(row) if row else None

    def releases(self) -> list[Release]:
        """Every release in the order it was first promoted."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(releases_table)).all()
        first: dict[str, int] = {}
        for event in reversed(self.history()):
            first[event["release_id"]] = event["seq"]
        return sorted((self._row(r) for r in rows), key=lambda r: (first.get(r.id, 0), r.registered_at))

    def history(self) -> list[dict[str, Any]]:
        """Promotions and rollbacks, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(release_events).order_by(release_events.c.seq)).all()
        return [dict(r._mapping) for r in rows]

    def serving_id(self) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(release_events.c.release_id).order_by(release_events.c.seq.desc()).limit(1)
            ).first()
        return row.release_id if row else None

    def _register(self, conn: Any, report_path: Path, actor: str) -> tuple[str, str, dict[str, Any], bool]:
        manifest, report_id = read_gated_report(report_path)
        rid = release_id(manifest)
        new = conn.execute(select(releases_table.c.id).where(releases_table.c.id == rid)).first() is None
        if new:
            conn.execute(
                insert(releases_table).values(
                    id=rid,
                    manifest=canonical_json(manifest),
                    report_id=report_id,
                    report_path=str(report_path.resolve()),
                    registered_by=actor,
                    registered_at=_now(),
                )
            )
        return rid, report_id, manifest, new

    def register(self, report_path: Path, *, actor: str) -> Release:
        """Register a gated report's manifest without serving it (a shadow challenger, a later promotion)."""
        with self.engine.begin() as conn:
            rid, report_id, manifest, new = self._register(conn, report_path, actor)
        if new:
            payload = {"release_id": rid, "report_id": report_id, "manifest": manifest}
            self.audit.append("release_registered", actor=actor, payload=payload)
        release = self.get(rid)
        assert release is not None
        return release

    def promote(self, report_path: Path, *, actor: str) -> Release:
        """Register the report's manifest (if new) and make it the serving release."""
        with self.engine.begin() as conn:
            rid, report_id, manifest, _new = self._register(conn, report_path, actor)
            previous = conn.execute(
                select(release_events.c.release_id).order_by(release_events.c.seq.desc()).limit(1)
            ).scalar()
            conn.execute(
                insert(release_events).values(release_id=rid, action="promote", actor=actor, at=_now())
            )
        payload = {"release_id": rid, "previous": previous, "report_id": report_id, "manifest": manifest}
        self.audit.append("release_promoted", actor=actor, payload=payload)
        release = self.get(rid)
        assert release is not None
        return release

    def serving_stack(self) -> list[str]:
        """Replay of the history: a promotion pushes (unless it is already serving), a rollback pops."""
        stack: list[str] = []
        for event in self.history():
            if event["action"] == "promote" and (not stack or stack[-1] != event["release_id"]):
                stack.append(event["release_id"])
            elif event["action"] == "rollback" and len(stack) > 1:
                stack.pop()
        return stack

    def rollback(self, *, actor: str) -> Release:
        """Serve again the release that served before the current one was promoted."""
        stack = self.serving_stack()
        if not stack:
            raise ReleaseError("no release has been promoted yet")
        if len(stack) < 2:
            raise ReleaseError(f"{stack[-1]} is the first release promoted: nothing to roll back to")
        current, target = stack[-1], stack[-2]
        with self.engine.begin() as conn:
            conn.execute(
                insert(release_events).values(release_id=target, action="rollback", actor=actor, at=_now())
            )
        self.audit.append("release_rolled_back", actor=actor, payload={"release_id": target, "from": current})
        release = self.get(target)
        assert release is not None
        return release


class ServingRelease:
    """The serving release as a worker sees it: read from the database at most every ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._lock = threading.Lock()
        self._at = float("-inf")
        self._value: Release | None = None

    def current(self) -> Release | None:
        with self._lock:
            if time.monotonic() - self._at >= self.ttl:
                store = ReleaseStore(self.engine, audit=None)
                try:
                    rid = store.serving_id()
                    self._value = store.get(rid) if rid else None
                except SQLAlchemyError as exc:  # a turn must not fail over its label: keep the last one
                    logging.getLogger(__name__).warning("serving release not readable: %s", exc)
                self._at = time.monotonic()
            return self._value
