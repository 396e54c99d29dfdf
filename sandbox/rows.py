"""Turn the generated arrays into database rows, one batch at a time (bounded memory)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np

from sandbox.bulk import days_to_text, nullable, seconds_to_text
from sandbox.fx import CURRENCIES
from sandbox.parties import Bank, PartyArrays
from sandbox.payments_gen import BEARERS, PURPOSES, STATUSES, PaymentFrame
from sandbox.tracker_gen import Settlement

REMITTANCE = (
    "INV {r}",
    "Invoice {r} / PO {p}",
    "Salary {m}",
    "Rent {m}",
    "Order {r}",
    "Consulting fees ref {r}",
    "Contract {r} instalment",
    "Freight {r}",
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def payment_id(row: int) -> str:
    """Random payments are numbered from PAY-00000001 in creation order."""
    return f"PAY-{row + 1:08d}"


def payment_ids(lo: int, hi: int) -> list[str]:
    """``payment_id`` for rows [lo, hi)."""
    return [f"PAY-{i:08d}" for i in range(lo + 1, hi + 1)]


def uetrs(raw: bytes) -> list[str]:
    """UUID v4 strings from 16 random bytes each (version and variant bits set in bulk)."""
    arr = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 16).copy()
    arr[:, 6] = (arr[:, 6] & 0x0F) | 0x40
    arr[:, 8] = (arr[:, 8] & 0x3F) | 0x80
    h = arr.tobytes().hex()
    return [
        f"{h[k : k + 8]}-{h[k + 8 : k + 12]}-{h[k + 12 : k + 16]}-{h[k + 16 : k + 20]}-{h[k + 20 : k + 32]}"
        for k in range(0, len(h), 32)
    ]


def _objects(values: list[Any] | tuple[Any, ...]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _remittance(frame: PaymentFrame, lo: int, hi: int) -> list[str]:
    tmpl = frame.remit[lo:hi, 0].tolist()
    ref = frame.remit[lo:hi, 1].tolist()
    month = ((frame.created[lo:hi] // 86400 // 30 + 4) % 12).tolist()
    return [
        REMITTANCE[t].format(r=r, p=r // 7, m=MONTHS[m]) for t, r, m in zip(tmpl, ref, month, strict=True)
    ]


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
    """Rows of ``payments`` for frame rows [lo, hi) in the table's column order (built column by column)."""
    n = hi - lo
    bic = _objects([b.bic for b in banks] + [""])
    quoted = _objects([f'"{b.bic}"' for b in banks] + [""])
    country = _objects([b.country for b in banks])
    names = _objects(parties.customer_names)
    refs = _objects(parties.account_refs)
    path, hops = frame.path[lo:hi], frame.hops[lo:hi].astype(np.int64)
    rows_ix = np.arange(n)
    first, last = path[:, 0], path[rows_ix, hops - 1]
    inter = np.full(n, "[", dtype=object)
    for k in (1, 2, 3):
        has = k < hops - 1
        sep = "," if k > 1 else ""
        inter[has] = inter[has] + sep + quoted[path[has, k]]
    inter = inter + "]"
    debtor, creditor = frame.debtor[lo:hi], frame.creditor[lo:hi]
    num = [f"{i:08d}" for i in range(lo + 1, hi + 1)]
    ref = frame.remit[lo:hi, 1].tolist()
    currencies = _objects(CURRENCIES)
    columns = [
        payment_ids(lo, hi),
        uetrs(rng.bytes(16 * n)),
        [f"E2E-{x}X{r:06d}" for x, r in zip(num, ref, strict=True)],
        ["INS" + x for x in num],
        [f"MSG{x[:5]}{r % 1000:03d}" for x, r in zip(num, ref, strict=True)],
        ["TX" + x for x in num],
        ["pacs.008"] * n,
        names[debtor].tolist(),
        refs[debtor].tolist(),
        bic[first].tolist(),
        country[first].tolist(),
        names[creditor].tolist(),
        refs[creditor].tolist(),
        bic[last].tolist(),
        country[last].tolist(),
        inter.tolist(),
        frame.amount[lo:hi].tolist(),
        currencies[frame.ccy_in[lo:hi]].tolist(),
        nullable(st.settled_amount[lo:hi]),
        currencies[frame.ccy_out[lo:hi]].tolist(),
        nullable(st.fx_rate[lo:hi]),
        _objects(BEARERS)[frame.bearer[lo:hi]].tolist(),
        days_to_text(base.date(), st.req_day[lo:hi]),
        days_to_text(base.date(), st.value_day[lo:hi]),
        seconds_to_text(base, st.settle_sec[lo:hi]),
        _objects(STATUSES)[frame.status[lo:hi]].tolist(),
        frame.reason[lo:hi].tolist(),
        _remittance(frame, lo, hi),
        _objects(PURPOSES)[frame.purpose[lo:hi]].tolist(),
        seconds_to_text(base, frame.created[lo:hi]),
        [None] * n,
    ]
    return list(zip(*columns, strict=True))


def event_rows(
    st: Settlement, frame: PaymentFrame, banks: list[Bank], base: datetime, lo: int, hi: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``tracker_events`` (ids 1..E) for events [lo, hi), in chunks."""
    bic = _objects([b.bic for b in banks] + [None])
    currencies = _objects(CURRENCIES)
    statuses = _objects(STATUSES)
    chunk = 200_000
    for start in range(lo, hi, chunk):
        end = min(hi, start + chunk)
        sl = slice(start, end)
        pays = st.ev_payment[sl]
        charges = st.ev_charges[sl]
        ccy = currencies[frame.ccy_in[pays]]
        ccy[np.isnan(charges)] = None
        columns = [
            range(start + 1, end + 1),
            [f"PAY-{p:08d}" for p in (pays + 1).tolist()],
            st.ev_seq[sl].tolist(),
            bic[st.ev_agent[sl]].tolist(),
            seconds_to_text(base, st.ev_received[sl]),
            seconds_to_text(base, st.ev_forwarded[sl]),
            statuses[st.ev_status[sl]].tolist(),
            st.ev_reason[sl].tolist(),
            nullable(charges),
            ccy.tolist(),
            nullable(st.ev_fx[sl]),
            bic[st.ev_next[sl]].tolist(),
        ]
        yield list(zip(*columns, strict=True))


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
        (
            p.account_ids[i],
            p.ibans[i],
            p.local_numbers[i],
            p.customer_ids[p.account_customer[i]],
            banks[p.account_bank[i]].bic,
            banks[p.account_bank[i]].currency,
            p.customer_names[i],
            p.account_status[i],
            p.opened_on[i].isoformat(),
            closed_on if p.account_status[i] == "closed" else None,
        )
        for i in range(len(p.account_ids))
    ]
