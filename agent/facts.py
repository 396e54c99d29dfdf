"""Tolerant readers of tool results in the evidence (payment, tracker, duplicates) for the playbook rules."""

from __future__ import annotations

from typing import Any

from core.domain import E2E_ID_RE, PAYMENT_ID_RE, UETR_RE


def pick(data: Any, *keys: str) -> Any:
    """The first present, non-empty value among ``keys`` of a dict."""
    if not isinstance(data, dict):
        return None
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def ok_items(evidence: list[dict[str, Any]], tool: str) -> list[dict[str, Any]]:
    """Successful evidence items of one tool."""
    return [item for item in evidence if item.get("tool") == tool and item.get("ok")]


def payment_of(data: Any) -> dict[str, Any]:
    """The payment object of a get_payment result (``{"payment": {...}}`` or flat)."""
    inner = pick(data, "payment")
    return inner if isinstance(inner, dict) else (data if isinstance(data, dict) else {})


def payment_id_of(payment: dict[str, Any]) -> str | None:
    value = pick(payment, "payment_id", "id")
    return str(value) if value else None


def payment_keys(payment: dict[str, Any]) -> set[str]:
    """Every reference that identifies this payment."""
    keys = {
        str(pick(payment, k))
        for k in ("payment_id", "id", "uetr", "end_to_end_id", "e2e_id")
        if pick(payment, k)
    }
    return {key.lower() if UETR_RE.fullmatch(key) else key for key in keys}


def found_payments(evidence: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Payments the reads found, by payment id (get_payment results and duplicate candidates)."""
    found: dict[str, dict[str, Any]] = {}
    for item in ok_items(evidence, "get_payment"):
        payment = payment_of(item.get("data"))
        if payment_id_of(payment):
            found[payment_id_of(payment) or ""] = {**payment, "_evidence": item.get("id", "")}
    for item in ok_items(evidence, "find_duplicates"):
        for cand in duplicate_candidates(item.get("data")):
            pid = payment_id_of(cand)
            if pid and pid not in found:
                found[pid] = {**cand, "_evidence": item.get("id", "")}
    return found


def duplicate_candidates(data: Any) -> list[dict[str, Any]]:
    """Candidate payments of a find_duplicates result (``{"payment": {...}, "similarity"}`` or flat)."""
    items = data if isinstance(data, list) else pick(data, "candidates", "duplicates", "items", "results")
    return [payment_of(c) for c in (items or []) if isinstance(c, dict)]


def tracker_summary(data: Any) -> dict[str, Any]:
    """Transaction status, reason, the agent where the payment sits and the charges deducted per agent."""
    summary = pick(data, "summary") or {}
    events = [e for e in (pick(data, "hops", "events", "tracker_events") or []) if isinstance(e, dict)]
    last = events[-1] if events else {}
    status = (
        pick(summary, "current_status") or pick(data, "transaction_status", "status") or pick(last, "status")
    )
    reason = (
        pick(summary, "status_reason") or pick(data, "status_reason") or pick(last, "status_reason", "reason")
    )
    agent = pick(summary, "stopped_at_bic", "last_agent_bic") or pick(last, "agent_bic", "bic")
    charged = [pick(e, "agent_bic", "bic") for e in events if pick(e, "charges_amount")]
    return {
        "status": status,
        "reason": reason,
        "agent_bic": agent,
        "hops": len(events),
        "charged_by": charged,
    }


def new_references(data: Any, known: set[str]) -> list[str]:
    """Payment references mentioned in a tool result that are not known yet (drives a second round)."""
    text = str(data)
    found = [
        *PAYMENT_ID_RE.findall(text),
        *[m.lower() for m in UETR_RE.findall(text)],
        *E2E_ID_RE.findall(text),
    ]
    return [ref for ref in dict.fromkeys(found) if ref not in known]
