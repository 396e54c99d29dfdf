"""The chain head anchored outside the database: a signed checkpoint file, rewritten after every append.

Someone with write access to the database can rewrite the whole chain and the head row so that it
verifies; they cannot also forge this file (HMAC-SHA256 with a key kept in the data dir, not in the
database) or make the chain agree with a checkpoint they did not see. ``payinvest audit verify --anchor
FILE`` checks that the event at the anchored seq still has the anchored hash (rewrite) and that the chain
reaches at least that far (deleted tail). Copy the file off the machine (ticket, WORM store) for the
stronger guarantee: an attacker who also owns the data dir can rewrite both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ANCHOR_FILE = "audit-anchor.json"
KEY_FILE = "audit-anchor.key"
FORMAT = "payinvest-audit-anchor/1"


class AnchorError(Exception):
    """The anchor file is missing, unreadable or its signature does not verify."""

    code = "anchor_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Anchor:
    """One signed checkpoint of the chain head."""

    seq: int
    hash: str
    written_at: str


def _body(seq: int, digest: str, written_at: str) -> bytes:
    return json.dumps(
        {"format": FORMAT, "seq": seq, "hash": digest, "written_at": written_at},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


class AnchorWriter:
    """Writes and reads the signed checkpoint file ``path`` with ``key``."""

    def __init__(self, path: Path, key: str | bytes) -> None:
        self.path = path
        self._key = key.encode() if isinstance(key, str) else key

    @classmethod
    def from_settings(cls, settings: Any) -> AnchorWriter:
        from core.secrets import load_or_create_secret

        data_dir = settings.resolved_data_dir
        return cls(data_dir / ANCHOR_FILE, load_or_create_secret(data_dir, KEY_FILE))

    def _sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def write(self, seq: int, digest: str) -> None:
        """Replace the checkpoint atomically (write a temporary file, then rename)."""
        written_at = datetime.now(UTC).isoformat(timespec="seconds")
        body = _body(seq, digest, written_at)
        doc = {**json.loads(body), "signature": self._sign(body)}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path)

    def read(self, path: Path | None = None) -> Anchor:
        """The checkpoint in ``path`` (default: this writer's), signature checked."""
        source = path or self.path
        try:
            doc = json.loads(source.read_text(encoding="utf-8"))
            body = _body(int(doc["seq"]), str(doc["hash"]), str(doc["written_at"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AnchorError(f"cannot read the anchor file {source}: {type(exc).__name__}") from None
        if doc.get("format") != FORMAT or not hmac.compare_digest(
            str(doc.get("signature")), self._sign(body)
        ):
            raise AnchorError(f"the anchor file {source} is not signed by this deployment's anchor key")
        return Anchor(int(doc["seq"]), str(doc["hash"]), str(doc["written_at"]))


def verify_with_anchor(log: Any, anchor: Anchor) -> Any:
    """``log.verify()`` plus the checkpoint: the anchored event must still exist with the anchored hash."""
    from sqlalchemy import select

    from core.audit import VerifyResult, audit_events

    result = log.verify()
    if not result.ok:
        return result
    if result.head_seq < anchor.seq:
        reason = (
            f"the chain ends at seq {result.head_seq} but the anchor saw seq {anchor.seq}: events deleted"
        )
        return VerifyResult(
            False, result.checked, result.head_seq + 1, reason, result.head_seq, result.head_hash
        )
    with log.engine.connect() as conn:
        stored = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == anchor.seq)).scalar()
    if stored != anchor.hash:
        reason = f"seq {anchor.seq} does not have the anchored hash: the chain was rewritten"
        return VerifyResult(False, result.checked, anchor.seq, reason, result.head_seq, result.head_hash)
    return result


def open_audit_log(settings: Any) -> Any:
    """The application database's audit log, anchoring its head in ``<data_dir>/audit-anchor.json``."""
    from core.audit import AuditLog
    from core.schema import open_app_db

    return AuditLog(open_app_db(settings.app_db_url), anchor=AnchorWriter.from_settings(settings))
