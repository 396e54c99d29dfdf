"""Turn the generated arrays into database rows, one batch at a time (bounded memory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np

from tools.sandbox.bulk import days_to_text, nullable, seconds_to_text
from tools.sandbox.fx import CURRENCIES
from tools.sandbox.parties import Bank, PartyArrays
from tools.sandbox.payments_gen import BEARERS, PURPOSES, STATUSES, PaymentFrame
from tools.sandbox.tracker_gen import Settlement

REMITTANCE = (
    "INV {r}", "Invoice {r} / PO {p}", "Salary {m}", "Rent {m}", "Order {r}", "Consulting fees ref {r}",
    "Contract {r} instalment", "Freight {r}",
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def payment_id(row: int) -> str:
    """Random payments are numbered from PAY-00000001 in creation order."""
    return f"PAY-{row + 1:08d}"


def uetr_from_bytes(raw: bytes) -> str:
    """A UUID v4 string from 16 random bytes."""
    return str(uuid.UUID(bytes=raw, version=4))


def payment_rows(
    rng: np.random.Generator,
    frame: PaymentFrame,
    st: Settlement,
    banks: list[Bank],
    parties: PartyArrays,
    base: datetime,
    lo: int,
    hi: int,
) -> list[tuple[Any, ...]]:
    """Rows of ``payments`` for frame rows [lo, hi) in the table's column order."""
    bics = [b.bic for b in banks]
    country = [b.country for b in banks]
    idx = np.arange(lo, hi)
    raw = rng.bytes(16 * (hi - lo))
    created = seconds_to_text(base, frame.created[lo:hi])
    req = days_to_text(base.date(), st.req_day[lo:hi])
    value = days_to_text(base.date(), st.value_day[lo:hi])
    settle = seconds_to_text(base, st.settle_sec[lo:hi])
    fx = nullable(st.fx_rate[lo:hi])
    settled = nullable(st.settled_amount[lo:hi])
    rows = []
    for k, i in enumerate(idx.tolist()):
        d, c = int(frame.debtor[i]), int(frame.creditor[i])
        path = frame.path[i, : frame.hops[i]].tolist()
        inter = "[" + ",".join(f'"{bics[b]}"' for b in path[1:-1]) + "]"
        tmpl, ref = frame.remit[i]
        month = MONTHS[(int(frame.created[i]) // 86400 // 30 + 4) % 12]
        remit = REMITTANCE[tmpl].format(r=ref, p=ref // 7, m=month)
        pid = payment_id(i)
        num = f"{i + 1:08d}"
        rows.append((
            pid, uetr_from_bytes(raw[16 * k: 16 * k + 16]), f"E2E-{num}X{ref:06d}", f"INS{num}",
            f"MSG{num[:5]}{ref % 1000:03d}", f"TX{num}", "pacs.008",
            parties.customer_names[d], parties.account_refs[d], bics[path[0]], country[path[0]],
            parties.customer_names[c], parties.account_refs[c], bics[path[-1]], country[path[-1]], inter,
            float(frame.amount[i]), CURRENCIES[frame.ccy_in[i]], settled[k], CURRENCIES[frame.ccy_out[i]],
            fx[k], BEARERS[frame.bearer[i]], req[k], value[k], settle[k],
            STATUSES[frame.status[i]], frame.reason[i], remit, PURPOSES[frame.purpose[i]], created[k], None,
        ))
    return rows


def event_rows(
    st: Settlement, frame: PaymentFrame, banks: list[Bank], base: datetime, lo: int, hi: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``tracker_events`` (ids 1..E) for events [lo, hi), in chunks."""
    bics = [b.bic for b in banks] + [None]
    chunk = 200_000
    for start in range(lo, hi, chunk):
        end = min(hi, start + chunk)
        sl = slice(start, end)
        received = seconds_to_text(base, st.ev_received[sl])
        forwarded = seconds_to_text(base, st.ev_forwarded[sl])
        charges = nullable(st.ev_charges[sl])
        fx = nullable(st.ev_fx[sl])
        ccy = [CURRENCIES[c] for c in frame.ccy_in[st.ev_payment[sl]].tolist()]
        pays = st.ev_payment[sl].tolist()
        seqs = st.ev_seq[sl].tolist()
        agents = st.ev_agent[sl].tolist()
        nexts = st.ev_next[sl].tolist()
        statuses = st.ev_status[sl].tolist()
        reasons = st.ev_reason[sl].tolist()
        yield [
            (start + k + 1, payment_id(pays[k]), seqs[k], bics[agents[k]], received[k], forwarded[k],
             STATUSES[statuses[k]], reasons[k], charges[k], ccy[k] if charges[k] is not None else None,
             fx[k], bics[nexts[k]])
            for k in range(end - start)
        ]


def bank_rows(banks: list[Bank]) -> list[tuple[Any, ...]]:
    """Rows of ``banks``."""
    return [(b.bic, b.name, b.country, b.city, b.currency, b.gpi, b.timezone) for b in banks]


def customer_rows(p: PartyArrays) -> list[tuple[Any, ...]]:
    """Rows of ``customers``."""
    return list(zip(p.customer_ids, p.customer_names, p.customer_kinds, p.customer_countries, strict=True))


def account_rows(p: PartyArrays, banks: list[Bank], as_of: date) -> list[tuple[Any, ...]]:
    """Rows of ``accounts`` (a closed account was closed 20 days before the sandbox clock)."""
    closed_on = date.fromordinal(as_of.toordinal() - 20).isoformat()
    return [
        (p.account_ids[i], p.ibans[i], p.local_numbers[i], p.customer_ids[p.account_customer[i]],
         banks[p.account_bank[i]].bic, banks[p.account_bank[i]].currency, p.customer_names[i],
         p.account_status[i], p.opened_on[i].isoformat(), closed_on if p.account_status[i] == "closed" else None)
        for i in range(len(p.account_ids))
    ]
