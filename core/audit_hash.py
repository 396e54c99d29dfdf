"""The hash-chain arithmetic of the audit record: canonical JSON, event hashes, searchable references.

Each event records the canonicalisation its hash was computed over (the ``canon`` column): ``rfc8785`` (RFC 8785
JSON Canonicalization Scheme, which any other tool can reproduce byte for byte; docs/audit.md) for events written
since migration 0006, ``json-sorted-v1`` (Python's ``json.dumps`` with sorted keys) for the older ones, which
keep verifying unchanged. The first RFC 8785 event links to the old head: one chain, two segments.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any, Literal

import rfc8785

from core.domain import CASE_ID_RE, E2E_ID_RE, PAYMENT_ID_RE, UETR_RE, ActionKind

GENESIS_HASH = "0" * 64
_KINDS = {kind.value for kind in ActionKind}
Canon = Literal["rfc8785", "json-sorted-v1"]
CANON_JCS: Canon = "rfc8785"
CANON_LEGACY: Canon = "json-sorted-v1"
CANONS: tuple[Canon, ...] = (CANON_JCS, CANON_LEGACY)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 characters kept: how payloads are stored (and hashed before RFC 8785)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_bytes(value: Any, canon: Canon = CANON_JCS) -> bytes:
    """The bytes that are hashed under ``canon``."""
    if canon == CANON_JCS:
        return rfc8785.dumps(value)
    if canon == CANON_LEGACY:
        return canonical_json(value).encode("utf-8")
    raise ValueError(f"unknown canonicalisation {canon!r}")


def canon_for(value: Any) -> Canon:
    """RFC 8785, unless the value lies outside its I-JSON domain (integers beyond 2**53, non-finite floats)."""
    try:
        rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        return CANON_LEGACY
    return CANON_JCS


def compute_hash(
    *,
    seq: int,
    ts: str,
    event_type: str,
    actor: str,
    conversation_id: str | None,
    payload: Any,
    prev_hash: str,
    canon: Canon = CANON_JCS,
) -> str:
    """SHA-256 of the canonical JSON (under ``canon``) of one event's fields and its predecessor's hash."""
    body = {
        "seq": seq,
        "ts": ts,
        "event_type": event_type,
        "actor": actor,
        "conversation_id": conversation_id,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_bytes(body, canon)).hexdigest()


def extract_refs(payload: Any) -> str:
    """Searchable references in a payload: UETRs, payment/case/E2E ids and action kinds, space-delimited."""
    found: set[str] = set()
    blob = canonical_json(payload)
    for regex in (UETR_RE, PAYMENT_ID_RE, E2E_ID_RE, CASE_ID_RE):
        found.update(match.lower() for match in regex.findall(blob))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"kind", "action_kind"} and isinstance(value, str) and value in _KINDS:
                    found.add(f"kind:{value}")
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return " " + " ".join(sorted(found)) + " "


MAX_ACTOR_LENGTH = 64
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}  # control, format (bidi marks, zero-width), line/paragraph separators


def normalise_actor(actor: str) -> str:
    """An actor name as stored: NFKC, no control / bidi / zero-width characters, spaces collapsed, capped."""
    text = unicodedata.normalize("NFKC", str(actor))
    text = "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in text)
    text = " ".join(text.split())[:MAX_ACTOR_LENGTH]
    return text or "unknown"
