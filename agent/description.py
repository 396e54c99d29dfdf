"""Parse a payment described in words (amount and currency, party names, dates) into payment-search filters.

Used when the analyst gave no reference: "the USD 48,250 payment from Alpine Textiles GmbH on 16 November".
Everything here is deterministic; the search result, not this parse, decides which payment is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agent.references import extract_references

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_MONTH = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+(?P<year>20\d\d))?\b", re.I
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year>20\d\d))?\b", re.I)
_NUMERIC = re.compile(r"\b(?P<day>[0-3]?\d)[./](?P<mon>[01]?\d)[./](?P<year>20\d\d)\b")
# Legal forms that end a company name ("Alpine Textiles GmbH", "Orchid Furniture S.r.l.").
_LEGAL = (
    r"GmbH|AG|SE|Ltd\.?|Limited|Inc\.?|LLC|plc|PLC|S\.r\.l\.|S\.p\.A\.|SAS|SA|S\.A\.|B\.V\.|N\.V\.|"
    r"K\.K\.|Pte\.? Ltd\.?|Co\.|Corp\.?|Oy|AB|A/S|KG"
)
_COMPANY = re.compile(rf"\b((?:[A-Z][\w&'\-]*\.?\s+){{0,4}}?[A-Z][\w&'\-]*\.?\s+(?:{_LEGAL}))(?![\w])")
# A person or company named after a role word: "to Jane Marlowe", "beneficiary Summit Logistics".
_AFTER_ROLE = re.compile(
    r"\b(?:to|from|by|for|beneficiary|customer|client|payee|debtor|creditor|supplier)\s+"
    r"((?:[A-Z][a-z][\w'\-]*)(?:\s+[A-Z][a-z][\w'\-]*){1,3})"
)
_NOT_NAMES = {"Customer", "Client", "Beneficiary", "Please", "Payment", "Where", "What", "Why", "The", "Our"}
_SEARCH_WINDOW_DAYS = 3


@dataclass
class Description:
    """What the analyst wrote about a payment without a reference."""

    amount: str | None = None  # "48250.00"
    currency: str | None = None
    parties: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)

    def usable(self) -> bool:
        """Enough to search: an amount with its currency, or a party name."""
        return bool((self.amount and self.currency) or self.parties)

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "parties": self.parties,
            "dates": [d.isoformat() for d in self.dates],
        }


def _resolve(day: int, month: int, year: int | None, today: date) -> date | None:
    try:
        if year:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def parse_dates(text: str, today: date) -> list[date]:
    """ISO dates, "12 November", "Nov 12, 2026" and "12.11.2026" (a missing year: the latest past one)."""
    found: list[date] = [date.fromisoformat(d) for d in extract_references(text)["dates"] if _iso_ok(d)]
    for regex in (_DAY_MONTH, _MONTH_DAY):
        for m in regex.finditer(text):
            resolved = _resolve(
                int(m["day"]), _MONTHS[m["mon"].lower()], int(m["year"]) if m["year"] else None, today
            )
            if resolved:
                found.append(resolved)
    for m in _NUMERIC.finditer(text):
        resolved = _resolve(int(m["day"]), int(m["mon"]), int(m["year"]), today)
        if resolved:
            found.append(resolved)
    return list(dict.fromkeys(found))


def _iso_ok(value: str) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False


def parse_parties(text: str) -> list[str]:
    """Company names ending in a legal form, then capitalised names after a role word."""
    names = [m.group(1).strip() for m in _COMPANY.finditer(text)]
    names += [m.group(1).strip() for m in _AFTER_ROLE.finditer(text)]
    cleaned = []
    for name in names:
        words = name.split()
        while words and words[0].rstrip(".") in _NOT_NAMES:
            words = words[1:]
        if len(words) >= 2 or (words and len(words[0]) > 3 and name in text):
            cleaned.append(" ".join(words))
    return [n for n in dict.fromkeys(cleaned) if n and len(n) <= 140]


def parse_description(text: str, today: date | None = None) -> Description:
    """The amount, currency, parties and dates of a described payment."""
    today = today or datetime.now(UTC).date()
    refs = extract_references(text)
    desc = Description(parties=parse_parties(text), dates=parse_dates(text, today))
    if refs["amounts"]:
        value, currency = refs["amounts"][0].split()
        desc.amount, desc.currency = value, currency
    return desc


def search_filters(desc: Description, *, with_party: bool = True) -> dict[str, Any] | None:
    """``search_payments`` arguments for a description (None when there is nothing to search by)."""
    args: dict[str, Any] = {}
    if desc.amount and desc.currency:
        args.update(amount_min=desc.amount, amount_max=desc.amount, currency=desc.currency)
    if with_party and desc.parties:
        args["party"] = desc.parties[0]
    if not args:
        return None
    if desc.dates:
        first, last = min(desc.dates), max(desc.dates)
        args["date_from"] = (first - timedelta(days=_SEARCH_WINDOW_DAYS)).isoformat()
        args["date_to"] = (last + timedelta(days=_SEARCH_WINDOW_DAYS)).isoformat()
    args["limit"] = 10
    return args
