"""Expectations of an eval case from one catalogue scenario (``payinvest scenarios --json`` plus its setup)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

REFERENCE_TOOLS = {
    "get_payment",
    "get_tracker",
    "get_screening",
    "find_duplicates",
    "get_cases",
    "get_risk_signals",
}


def expected_proposals(next_action: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The catalogue's next action as dataset proposals (a camt.110 carries its investigation type as code)."""
    if not next_action:
        return []
    code = next_action.get("investigation_type") if next_action["kind"] == "investigation" else None
    code = code or next_action.get("reason_code")
    return [{"kind": next_action["kind"], "reason_code": code}]


def expected_tool_calls(tools: list[str], reference: str | None) -> list[dict[str, Any]]:
    """Expected read calls; reference tools get the reference the analyst gave (when there is one)."""
    calls = []
    for name in tools:
        args = {"reference": reference} if name in REFERENCE_TOOLS and reference else {}
        calls.append({"name": name, "args": args})
    return calls


def _money(value: float | int | Decimal) -> str:
    return f"{Decimal(str(value)):.2f}"


def case_truth(scenario: Any) -> dict[str, Any]:
    """The deterministic claim check's truth: statuses, reason codes and amounts a reply may state."""
    truth, setup = scenario.truth, scenario.setup
    statuses = [truth["payment_status"]]
    reasons = [truth["status_reason"]] if truth.get("status_reason") else []
    twin = setup.get("twin") or {}
    if twin.get("outcome"):
        statuses.append(twin["outcome"]["status"])
        if twin["outcome"].get("reason"):
            reasons.append(twin["outcome"]["reason"])
    amounts = [_money(setup["amount"])]
    charges = setup.get("charges") or {}
    if charges:
        amounts += [_money(v) for v in charges.values()]
        amounts.append(_money(Decimal(str(setup["amount"])) - sum(Decimal(str(v)) for v in charges.values())))
    amounts += [
        _money(Decimal(m.replace(",", ""))) for f in truth["key_facts"] for m in re.findall(r"^\d[\d,.]*$", f)
    ]
    return {
        "payment_status": truth["payment_status"],
        "status_reason": truth.get("status_reason"),
        "stopped_at_bic": truth.get("stopped_at_bic"),
        "statuses": list(dict.fromkeys(statuses)),
        "reasons": list(dict.fromkeys(reasons)),
        "amounts": list(dict.fromkeys(amounts)),
        "summary": truth["what_happened"],
    }
