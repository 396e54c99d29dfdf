"""Evidence packs: one conversation's audit events, a manifest of hashes, a transcript, masked by role."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from agent.pseudonymise import Pseudonymiser
from core.audit import AuditLog, canonical_json, verify_chain_of
from core.errors import PayinvestError
from core.users import User

IBAN_RE = re.compile(r"\b([A-Z]{2})[0-9]{2}[A-Z0-9]{7,26}([A-Z0-9]{4})\b")
LONG_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9-])[0-9]{8,}(?![0-9])")
NAME_KEY_RE = re.compile(r"(^|_)(name|holder|debtor|creditor|payee|beneficiary)$")
ACCOUNT_KEY_RE = re.compile(r"(^|_)(account|iban|account_number|acct)$")
NOT_PERSONAL_KEYS = {
    "tool_name",
    "prompt_name",
    "model_name",
    "username",
    "file_name",
    "section_title",
    "name_match",
}
UNMASK_ROLES = {"compliance", "admin"}


class ExportRefused(PayinvestError):
    """The export cannot be produced (unknown conversation, unmasking not allowed)."""

    code, http_status = "export_refused", 403

    def __init__(self, message: str, code: str = "export_refused", http_status: int = 403) -> None:
        super().__init__(message, code=code, http_status=http_status)


def mask_text(text: str, pseudo: Pseudonymiser | None = None) -> str:
    """Mask IBANs (country + last four kept) and long account numbers, then everything the agent's
    pseudonymiser detects (spaced IBANs, e-mails, phones, cards, dates of birth, tax ids, addresses,
    the conversation's party names in any case) as ``<KIND_n>`` tokens, consistent across the pack."""
    text = IBAN_RE.sub(lambda m: f"{m.group(1)}**…{m.group(2)}", text)
    text = LONG_NUMBER_RE.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
    return (pseudo or Pseudonymiser()).mask(text)


def mask_value(value: Any, key: str = "", pseudo: Pseudonymiser | None = None) -> Any:
    """Mask personal data in a JSON value: names and accounts by key, personal data in any text."""
    pseudo = pseudo or Pseudonymiser()
    if isinstance(value, dict):
        return {k: mask_value(v, k, pseudo) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, key, pseudo) for v in value]
    if isinstance(value, str):
        lowered = key.lower()
        if lowered not in NOT_PERSONAL_KEYS and NAME_KEY_RE.search(lowered):
            return "[name masked]"
        if ACCOUNT_KEY_RE.search(lowered) and len(value) > 4:
            return "*" * (len(value) - 4) + value[-4:]
        return mask_text(value, pseudo)
    return value


def pack_pseudonymiser(events: list[dict[str, Any]]) -> Pseudonymiser:
    """One pseudonymiser for a pack, knowing every party name its events carry (by key or in the text)."""
    pseudo = Pseudonymiser()
    for event in events:
        pseudo.learn(event["payload"])
        for text in _strings(event["payload"]):
            pseudo.learn_text(text)
    return pseudo


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def may_unmask(user: User) -> bool:
    """Only compliance and admin may ever see unmasked personal data."""
    return user.role in UNMASK_ROLES


def _transcript(conversation_id: str, events: list[dict[str, Any]], masked: bool) -> str:
    lines = [
        f"# Conversation {conversation_id}",
        "",
        f"Personal data masked: {'yes' if masked else 'no'}",
        "",
    ]
    for ev in events:
        payload = ev["payload"]
        text = payload.get("message") or payload.get("answer") or payload.get("text") or payload.get("reason")
        summary = text if isinstance(text, str) else canonical_json(payload)[:300]
        lines.append(f"- **#{ev['seq']}** {ev['ts']} `{ev['event_type']}` by {ev['actor']}: {summary}")
    return "\n".join(lines) + "\n"


def build_evidence_pack(
    audit: AuditLog, conversation_id: str, *, viewer: User, unmask: bool = False
) -> bytes:
    """The zip bytes of one conversation's evidence pack for this viewer."""
    if unmask and not may_unmask(viewer):
        raise ExportRefused(f"role {viewer.role} may not export unmasked personal data")
    events = [e.to_dict() for e in audit.events(conversation_id=conversation_id, limit=1_000_000)]
    if not events:
        raise ExportRefused("no audit events for this conversation", "conversation_not_found", 404)
    subset = verify_chain_of(events)
    chain = audit.verify()
    masked = not unmask
    pseudo = pack_pseudonymiser(events) if masked else None
    shown = [dict(e, payload=mask_value(e["payload"], "", pseudo)) if masked else e for e in events]
    events_jsonl = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in shown)
    transcript = _transcript(conversation_id, shown, masked)
    manifest = {
        "format": "payinvest-evidence-pack/1",
        "conversation_id": conversation_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "exported_by": {"username": viewer.username, "role": viewer.role},
        "personal_data_masked": masked,
        "event_count": len(events),
        "events": [{"seq": e["seq"], "hash": e["hash"], "prev_hash": e["prev_hash"]} for e in events],
        "conversation_events_verified": subset.to_dict(),
        "chain_verification": chain.to_dict(),
        "files": {
            "events.jsonl": hashlib.sha256(events_jsonl.encode()).hexdigest(),
            "transcript.md": hashlib.sha256(transcript.encode()).hexdigest(),
        },
        "note": "hashes are of the original events; masked payloads will not re-hash to them",
    }
    audit.append(
        "evidence_export",
        actor=viewer.username,
        conversation_id=conversation_id,
        payload={"masked": masked, "event_count": len(events), "chain_ok": chain.ok},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.jsonl", events_jsonl)
        zf.writestr("transcript.md", transcript)
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return buffer.getvalue()
