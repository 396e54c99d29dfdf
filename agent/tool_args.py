"""Build read-tool arguments from extracted references only: the model never invents an argument."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TOOL_HINTS: dict[str, str] = {
    "get_payment": "payment details and status",
    "search_payments": "find payments by amount/date",
    "get_tracker": "gpi tracker hops and status reasons",
    "get_screening": "sanctions screening hits and holds",
    "get_account": "account lookup",
    "verify_payee": "verification of payee",
    "find_duplicates": "duplicate candidates",
    "get_cases": "open investigation cases",
    "get_case": "one case by its id",
    "get_calendar": "cut-offs and value dates",
    "get_fx_rate": "FX rate",
    "compute_compensation": "value-date interest compensation",
    "get_risk_signals": "fraud risk signals",
}

_BY_REFERENCE = {
    "get_payment",
    "get_tracker",
    "get_screening",
    "find_duplicates",
    "get_cases",
    "get_risk_signals",
}


def build_args(tool: str, reference: str | None, refs: dict[str, list[str]]) -> dict[str, Any] | None:
    """Arguments for ``tool`` about ``reference``; None when the references do not support the call."""
    if tool in _BY_REFERENCE:
        return {"reference": reference} if reference else None
    if tool == "get_case":
        return {"case_id": refs["case_ids"][0]} if refs.get("case_ids") else None
    if tool == "compute_compensation":
        dates = refs.get("dates") or []
        return {"reference": reference, "corrected_value_date": dates[-1]} if reference and dates else None
    if tool == "get_account":
        return {"account": refs["ibans"][0]} if refs.get("ibans") else None
    if tool == "get_calendar":
        amounts, dates = refs.get("amounts") or [], refs.get("dates") or []
        return {"currency": amounts[0].split()[1], "date": dates[0]} if amounts and dates else None
    if tool == "get_fx_rate":
        currencies = [a.split()[1] for a in refs.get("amounts") or []]
        base = currencies[0] if currencies else None
        if not base or base == "EUR":
            return None
        dates = refs.get("dates") or [datetime.now(UTC).date().isoformat()]
        return {"base": base, "quote": "EUR", "date": dates[0]}
    if tool == "search_payments":
        amounts = refs.get("amounts") or []
        if not amounts:
            return None
        value, currency = amounts[0].split()
        args: dict[str, Any] = {"amount_min": value, "amount_max": value, "currency": currency}
        if refs.get("dates"):
            args["date_from"] = args["date_to"] = refs["dates"][0]
        return args
    return None  # verify_payee needs a name the analyst confirms: never guessed from free text
