"""Screening hits, holds, returns and cases that follow from the random payments' outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from sandbox.fx import CURRENCIES
from sandbox.parties import PartyArrays
from sandbox.payments_gen import PaymentFrame
from sandbox.rows import payment_id
from sandbox.tracker_gen import Settlement

LISTS = ("OFAC-SDN", "EU-CONSOLIDATED", "UK-HMT", "INTERNAL-AML")
ANALYSTS = ("analyst1", "analyst2", "analyst3")
STUCK_CASE = {"G002": "claim_non_receipt", "G003": "compliance_hold", "G004": "missing_cover"}


@dataclass
class Incidents:
    """Rows for the side tables, in table column order."""

    hits: list[tuple[Any, ...]] = field(default_factory=list)
    holds: list[tuple[Any, ...]] = field(default_factory=list)
    returns: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)


def similar_name(name: str) -> str:
    """A watch-list spelling close to ``name`` (a vowel swapped), as fuzzy screening would match."""
    for a, b in (("a", "e"), ("o", "u"), ("i", "y"), ("e", "a")):
        if a in name[1:]:
            pos = name.index(a, 1)
            return name[:pos] + b + name[pos + 1 :]
    return name + "h"


def _ts(base: datetime, sec: float) -> str:
    return (base + timedelta(seconds=int(sec))).strftime("%Y-%m-%d %H:%M:%S")


def build_incidents(
    rng: np.random.Generator, frame: PaymentFrame, st: Settlement, parties: PartyArrays, base: datetime
) -> Incidents:
    """Derive hits, holds, returns and cases consistent with each payment's status."""
    out = Incidents()
    last_received = np.zeros(frame.n, dtype=np.int64)
    last_received[st.ev_payment] = st.ev_received  # events are ordered, so the last write wins
    reasons = frame.reason
    g003 = np.flatnonzero(reasons == "G003")
    cleared = np.flatnonzero((frame.status == 1) & (rng.random(frame.n) < 0.01))
    for i in np.concatenate([g003, cleared]).tolist():
        held = reasons[i] == "G003"
        party = "creditor" if rng.random() < 0.7 else "debtor"
        name = parties.customer_names[frame.creditor[i] if party == "creditor" else frame.debtor[i]]
        at = last_received[i] if held else frame.created[i] + 30
        out.hits.append(
            (
                f"HIT-{len(out.hits) + 1:08d}",
                payment_id(i),
                LISTS[int(rng.integers(0, 4))],
                similar_name(name),
                party,
                round(float(rng.uniform(0.82, 0.97)), 3),
                "open" if held else "cleared",
                _ts(base, at),
                None if held else _ts(base, at + int(rng.integers(600, 86400))),
            )
        )
        if held:
            kind = "sanctions" if rng.random() < 0.6 else "aml"
            out.holds.append(
                (
                    f"HOLD-{len(out.holds) + 1:07d}",
                    payment_id(i),
                    kind,
                    "active",
                    f"Possible {kind} match on {party} name; RFI sent to the creditor side",
                    _ts(base, at + 60),
                    None,
                )
            )
    rejected = np.flatnonzero((frame.status == 2) & (frame.stop > 0))
    for i in rejected.tolist():
        if rng.random() < 0.6:
            amount = round(float(frame.amount[i] - st.deducted[i]), 2)
            out.returns.append(
                (
                    f"RET-{len(out.returns) + 1:08d}",
                    payment_id(i),
                    payment_id(i),
                    reasons[i],
                    amount,
                    CURRENCIES[frame.ccy_in[i]],
                    _ts(base, last_received[i] + int(rng.integers(86400, 5 * 86400))),
                )
            )
            _case(
                out,
                rng,
                base,
                i,
                "return_of_funds",
                last_received[i],
                closed="RETN",
                summary=f"Rejected with {reasons[i]}; funds returned by pacs.004",
            )
    for i in np.flatnonzero(frame.dup_of >= 0).tolist():
        if rng.random() < 0.5:
            src = int(frame.dup_of[i])
            out.returns.append(
                (
                    f"RET-{len(out.returns) + 1:08d}",
                    payment_id(i),
                    payment_id(src),
                    "AM05",
                    float(frame.amount[i]),
                    CURRENCIES[frame.ccy_in[i]],
                    _ts(base, frame.created[i] + 3 * 86400),
                )
            )
            _case(
                out,
                rng,
                base,
                i,
                "duplicate",
                frame.created[i] + 3600,
                closed="IDUP",
                summary=f"Duplicate of {payment_id(src)}; returned with AM05",
            )
    for i in np.flatnonzero(np.isin(reasons, list(STUCK_CASE))).tolist():
        if rng.random() < 0.5:
            _case(
                out,
                rng,
                base,
                i,
                STUCK_CASE[reasons[i]],
                last_received[i] + 86400,
                closed=None,
                summary=f"Tracker shows ACSP/{reasons[i]}; customer chasing",
            )
    return out


def _case(
    out: Incidents,
    rng: np.random.Generator,
    base: datetime,
    i: int,
    case_type: str,
    opened: float,
    *,
    closed: str | None,
    summary: str,
) -> None:
    opened_at = _ts(base, opened)
    closed_at = _ts(base, opened + int(rng.integers(86400, 8 * 86400))) if closed else None
    out.cases.append(
        (
            f"CASE-{len(out.cases) + 1:06d}",
            payment_id(i),
            case_type,
            "closed" if closed else "open",
            opened_at,
            closed_at,
            closed,
            summary,
            ANALYSTS[int(rng.integers(0, 3))],
            None,  # answer_status: the random cases have no counterparty answer recorded
            None,  # answer_reason
        )
    )
