"""Account lookup, Verification of Payee, FX rates and value-date compensation queries."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, RowMapping, or_, select

from sandbox.queries import row_dict
from sandbox.routes_common import ApiError
from sandbox.schema import accounts, banks, customers, fx_rates

ACCOUNT_RE = re.compile(r"^[A-Z0-9]{4,34}$")
# Verification of Payee thresholds on rapidfuzz token_sort_ratio of normalised names (0-100).
VOP_MATCH = 92.0
VOP_CLOSE_MATCH = 75.0
_LEGAL_SUFFIXES = {
    "ltd",
    "limited",
    "plc",
    "llc",
    "inc",
    "corp",
    "co",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "spa",
    "srl",
    "kg",
    "oy",
    "ab",
    "as",
    "pte",
    "pty",
    "mr",
    "mrs",
    "ms",
    "dr",
}
# Day-count basis per currency for value-date interest (ACT/365 markets; everything else ACT/360).
ACT_365 = {"GBP", "HKD", "SGD", "AUD", "NZD", "JPY", "ZAR", "INR"}


def normalise_account(account: str) -> str:
    """Upper-case an IBAN or account number without spaces; 400 ``invalid_account`` when malformed."""
    value = re.sub(r"[\s-]", "", account).upper()
    if not ACCOUNT_RE.match(value):
        raise ApiError(
            400, "invalid_account", "account must be an IBAN or an account number (4-34 letters/digits)"
        )
    return value


def find_account(conn: Connection, account: str) -> RowMapping:
    """The account with this IBAN or local account number (404 ``account_not_found``)."""
    value = normalise_account(account)
    query = select(accounts).where(or_(accounts.c.iban == value, accounts.c.account_number == value))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise ApiError(404, "account_not_found", f"no account {value}")
    return row


def account_view(conn: Connection, account: str) -> dict[str, Any]:
    """An account with its holder and bank (unmasked: the agent layer pseudonymises)."""
    row = find_account(conn, account)
    data = row_dict(row)
    cust = conn.execute(select(customers).where(customers.c.id == row["customer_id"])).mappings().first()
    bank = conn.execute(select(banks).where(banks.c.bic == row["bank_bic"])).mappings().first()
    data["customer"] = row_dict(cust) if cust else None
    data["bank"] = row_dict(bank) if bank else None
    return data


def normalise_name(name: str) -> str:
    """Case-fold, strip accents and punctuation, drop legal suffixes and titles."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^\w\s]", " ", text).split()
    kept = [w for w in words if w not in _LEGAL_SUFFIXES]
    return " ".join(kept or words)


def verify_payee(conn: Connection, account: str, name: str) -> dict[str, Any]:
    """Verification of Payee: ``match`` / ``close_match`` (with the registered name) / ``no_match``."""
    row = find_account(conn, account)
    registered = row["holder_name"]
    score = fuzz.token_sort_ratio(normalise_name(name), normalise_name(registered))
    if score >= VOP_MATCH:
        result = "match"
    elif score >= VOP_CLOSE_MATCH:
        result = "close_match"
    else:
        result = "no_match"
    return {
        "result": result,
        "score": round(score / 100.0, 3),
        # The registered name is disclosed only on a close match, as Verification of Payee schemes do.
        "registered_name": registered if result == "close_match" else None,
        "account_status": row["status"],
        "thresholds": {"match": VOP_MATCH / 100, "close_match": VOP_CLOSE_MATCH / 100},
    }


def fx_rate(conn: Connection, base: str, quote: str, day: date) -> dict[str, Any]:
    """The rate 1 base = rate quote on ``day`` or the latest earlier date (inverse pairs are used too)."""
    if base == quote:
        return {
            "base": base,
            "quote": quote,
            "rate": 1.0,
            "date": day.isoformat(),
            "requested_date": day.isoformat(),
        }
    for b, q, invert in ((base, quote, False), (quote, base, True)):
        query = (
            select(fx_rates)
            .where(fx_rates.c.base == b, fx_rates.c.quote == q, fx_rates.c.date <= day)
            .order_by(fx_rates.c.date.desc())
            .limit(1)
        )
        row = conn.execute(query).mappings().first()
        if row is not None:
            rate = 1.0 / row["rate"] if invert else row["rate"]
            return {
                "base": base,
                "quote": quote,
                "rate": round(rate, 8),
                "date": row["date"].isoformat(),
                "requested_date": day.isoformat(),
                "inverted": invert,
            }
    raise ApiError(404, "fx_rate_not_found", f"no {base}/{quote} rate on or before {day.isoformat()}")


def compensation(pay: RowMapping, corrected_value_date: date, annual_rate: Decimal) -> dict[str, Any]:
    """Value-date interest = amount x rate x calendar days / day-count basis (ACT/360 or ACT/365)."""
    if pay["value_date"] is None:
        raise ApiError(409, "payment_not_settled", f"{pay['id']} has no value date yet")
    amount = pay["settled_amount"] if pay["settled_amount"] is not None else pay["instructed_amount"]
    currency = pay["settled_currency"] if pay["settled_amount"] is not None else pay["instructed_currency"]
    days = abs((pay["value_date"] - corrected_value_date).days)
    basis = 365 if currency in ACT_365 else 360
    interest = (Decimal(amount) * annual_rate * days / basis).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return {
        "payment_id": pay["id"],
        "amount": f"{Decimal(amount).quantize(Decimal('0.01'))}",
        "currency": currency,
        "value_date": pay["value_date"].isoformat(),
        "corrected_value_date": corrected_value_date.isoformat(),
        "days": days,
        "annual_rate": str(annual_rate),
        "day_count_basis": basis,
        "convention": f"ACT/{basis}",
        "interest": f"{interest}",
        # claimed with a camt.110 of type RQVA (reason RQVA) carrying this period and amount in ReqdCompstn
        "reason_code": "RQVA",
    }
