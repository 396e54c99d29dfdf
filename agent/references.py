"""Deterministic extraction of payment references, amounts, dates, IBANs and BICs from free text."""

from __future__ import annotations

import re

from core.domain import (
    BIC_PATTERN,
    CASE_ID_RE,
    E2E_ID_RE,
    IBAN_PATTERN,
    PAYMENT_ID_RE,
    UETR_RE,
)

_IBAN_RE = re.compile(rf"(?<![A-Za-z0-9]){IBAN_PATTERN}(?![A-Za-z0-9])")
_BIC_RE = re.compile(rf"(?<![A-Za-z0-9]){BIC_PATTERN}(?![A-Za-z0-9])")
_AMOUNT_RE = re.compile(
    r"(?<![\w\-])(?:(?:(?P<cur1>[A-Z]{3})\s?(?P<amt1>\d[\d,]*(?:\.\d{1,2})?))"
    r"|(?:(?P<amt2>\d[\d,]*(?:\.\d{1,2})?)\s?(?P<cur2>[A-Z]{3})))(?![\w\-])"
)
_DATE_RE = re.compile(r"\b(20\d{2}-[01]\d-[0-3]\d)\b")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _valid_iban(value: str) -> bool:
    try:
        from schwifty import IBAN

        IBAN(value)
        return True
    except Exception:  # schwifty raises several subclasses of ValueError
        return False


def _valid_bic(value: str) -> bool:
    try:
        from schwifty import BIC

        BIC(value)
        return True
    except Exception:
        return False


def _currency(code: str) -> bool:
    return code.isalpha() and code.isupper() and code not in {"PAY", "E2E", "CASE", "SOP"}


def is_currency(code: str) -> bool:
    """An active ISO 4217 alphabetic code (upper case)."""
    import pycountry

    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def extract_references(text: str) -> dict[str, list[str]]:
    """Every identifier in ``text``; ``payment_refs`` lists the payment references in order of appearance."""
    uetrs = _unique([m.lower() for m in UETR_RE.findall(text)])
    payment_ids = _unique(PAYMENT_ID_RE.findall(text))
    e2e_ids = _unique(E2E_ID_RE.findall(text))
    ibans = _unique([m for m in _IBAN_RE.findall(text) if _valid_iban(m)])
    bics = _unique([m for m in _BIC_RE.findall(text) if m not in ibans and _valid_bic(m)])
    amounts: list[str] = []
    for match in _AMOUNT_RE.finditer(text):
        currency = match.group("cur1") or match.group("cur2")
        amount = (match.group("amt1") or match.group("amt2") or "").replace(",", "")
        if currency and amount and _currency(currency):
            amounts.append(f"{amount} {currency}")
    ordered = sorted(
        [(text.lower().find(ref.lower()), ref) for ref in [*payment_ids, *uetrs, *e2e_ids]],
    )
    return {
        "payment_refs": [ref for _, ref in ordered],
        "uetrs": uetrs,
        "payment_ids": payment_ids,
        "e2e_ids": e2e_ids,
        "case_ids": _unique(CASE_ID_RE.findall(text)),
        "ibans": ibans,
        "bics": bics,
        "amounts": _unique(amounts),
        "dates": _unique(_DATE_RE.findall(text)),
    }


def compact_references(refs: dict[str, list[str]]) -> str:
    """A one-line rendering for prompts (empty kinds left out)."""
    parts = [f"{key}={','.join(values)}" for key, values in refs.items() if values and key != "payment_refs"]
    return "; ".join(parts) or "none"
