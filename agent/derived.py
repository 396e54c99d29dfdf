"""Reads whose arguments come from the payment the reads found (never from free text), in two phases.

Phase 1 needs the payment: the playbook's account / payee reads, the SLA clock of the case type and, for a
value-date case, the business calendar of the day the instruction arrived. Phase 2 needs phase 1: the
value-date compensation, computed only when the calendar shows the value date was later than it should be.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from agent.evidence import EvidenceView
from agent.playbooks import derived_args, playbook_for
from core.domain import CaseType


def _created(view: EvidenceView) -> datetime | None:
    raw = getattr(view.payment, "created_at", None) if view.payment else None
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _has(evidence: list[dict[str, Any]], tool: str) -> bool:
    return any(i.get("tool") == tool for i in evidence)


def sla_start(view: EvidenceView) -> date | None:
    """The SLA clock starts when the open case was opened, else when the payment was sent."""
    cases = view.cases()
    for case in cases[0].cases if cases else []:
        if case.get("status") == "open" and case.get("opened_at"):
            try:
                return datetime.fromisoformat(str(case["opened_at"])).date()
            except ValueError:
                continue
    created = _created(view)
    return created.date() if created else None


def phase_one(case_type: str, target: str, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Account / payee checks, the SLA clock and (value date) the calendar of the instruction's day."""
    view = EvidenceView(evidence, target)
    if view.payment is None:
        return []
    payment = view.payment.model_dump(mode="json")
    steps: list[tuple[str, dict[str, Any]]] = []
    for tool in playbook_for(case_type).derived_reads:
        args = derived_args(tool, payment)
        if args and not _has(evidence, tool):
            steps.append((tool, args))
    start = sla_start(view)
    if start and case_type != CaseType.GENERAL.value and not _has(evidence, "get_sla"):
        currency = str(payment.get("settled_currency") or view.payment.instructed_currency)
        steps.append(("get_sla", {"case_type": case_type, "start": start.isoformat(), "currency": currency}))
    created = _created(view)
    if case_type == CaseType.VALUE_DATE.value and created and not _has(evidence, "get_calendar"):
        currency = str(payment.get("settled_currency") or view.payment.instructed_currency)
        steps.append(("get_calendar", {"currency": currency, "date": created.date().isoformat()}))
    return [{"tool": t, "args": a, "source": "playbook", "reference": target} for t, a in steps]


def due_value_date(view: EvidenceView, evidence: list[dict[str, Any]]) -> tuple[date, str] | None:
    """The value date the payment should have had: its arrival day before the cut-off, else the next
    business day (from get_calendar), with the calendar's evidence id."""
    created = _created(view)
    for item in evidence:
        if item.get("tool") != "get_calendar" or not item.get("ok") or created is None:
            continue
        data = item.get("data") or {}
        try:
            cutoff = datetime.fromisoformat(str(data["cutoff_utc"])).replace(tzinfo=None)
            same_day = date.fromisoformat(str(data["date"]))
            next_day = date.fromisoformat(str(data["next_business_day"]))
        except (KeyError, ValueError):
            continue
        on_time = data.get("is_business_day") and created <= cutoff
        return (same_day if on_time else next_day), item["id"]
    return None


def phase_two(case_type: str, target: str, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Value date: compute the compensation only when the actual value date is later than the due one."""
    if case_type != CaseType.VALUE_DATE.value or _has(evidence, "compute_compensation"):
        return []
    view = EvidenceView(evidence, target)
    due = due_value_date(view, evidence)
    actual = view.payment.value_date if view.payment else None
    if due is None or not actual or date.fromisoformat(str(actual)[:10]) <= due[0]:
        return []
    args = {"reference": target, "corrected_value_date": due[0].isoformat()}
    return [{"tool": "compute_compensation", "args": args, "source": "playbook", "reference": target}]
