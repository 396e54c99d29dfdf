"""Tracker events per hop, charges, FX, settled amounts and calendar-correct value dates (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.calendar import DayTable
from sandbox.fx import CURRENCIES, CUSTOMER_MARGIN, DECIMALS
from sandbox.parties import Bank
from sandbox.payments_gen import PaymentFrame

FEES = np.array(
    [12.0, 15.0, 10.0, 12.0, 2000.0, 20.0, 20.0]
)  # per-hop fee in each currency (CURRENCIES order)


@dataclass
class Settlement:
    """Per-payment derived values plus the flattened tracker events."""

    fx_rate: np.ndarray  # nan when same currency
    settled_amount: np.ndarray  # nan unless credited
    value_day: np.ndarray  # day index, -1 unless credited
    req_day: np.ndarray
    settle_sec: np.ndarray  # -1 unless credited
    ev_payment: np.ndarray  # payment row per event
    ev_seq: np.ndarray  # 1-based
    ev_agent: np.ndarray  # bank row
    ev_next: np.ndarray  # bank row forwarded to, -1 if none
    ev_received: np.ndarray  # seconds since window start
    ev_forwarded: np.ndarray  # -1 if not forwarded
    ev_status: np.ndarray  # index into STATUSES
    ev_reason: np.ndarray  # object
    ev_charges: np.ndarray  # nan when none
    ev_fx: np.ndarray  # nan when none
    deducted: np.ndarray  # total charges deducted per payment (instructed currency)


def settle(
    rng: np.random.Generator,
    frame: PaymentFrame,
    banks: list[Bank],
    per_usd: np.ndarray,
    tables: dict[str, DayTable],
    now_sec: int,
) -> Settlement:
    """Build the tracker events and settlement values for every random payment."""
    n = frame.n
    counts = frame.stop.astype(np.int64) + 1
    in_flight = frame.status == 0
    flying = in_flight & np.isin(frame.reason, ["G000", "G001"])
    total = int(counts.sum())
    pay = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(total) - np.repeat(starts, counts)

    proc = rng.exponential(1500.0, total).astype(np.int64) + 60
    net = rng.integers(30, 240, total)
    step = proc + net
    cum = np.cumsum(step) - step  # time before this event, global
    received_rel = cum - np.repeat(cum[starts], counts)
    # In-flight payments: shift them so that their last forwarding happened just before the clock.
    last_idx = starts + counts - 1
    span = received_rel[last_idx] + proc[last_idx]
    created = frame.created.copy()
    created[flying] = now_sec - span[flying] - rng.integers(60, 1800, int(flying.sum()))
    frame.created = created
    received = np.repeat(created, counts) + received_rel
    forwarded = received + proc

    is_last = pos == np.repeat(counts - 1, counts)
    status = np.zeros(total, dtype=np.int8)
    gpi = np.array([b.gpi for b in banks] + [True])
    agent = frame.path[pay, pos]
    nxt = frame.path[pay, np.minimum(pos + 1, 4)]
    nxt = np.where(pos + 1 < np.repeat(frame.hops, counts), nxt, -1)
    reason = np.where(gpi[nxt], "G000", "G001").astype(object)
    final_status = np.repeat(frame.status, counts)
    final_reason = np.repeat(frame.reason, counts)
    keep_forward = ~is_last | np.repeat(flying, counts)
    status[is_last] = final_status[is_last]
    reason[is_last & ~np.repeat(flying, counts)] = final_reason[is_last & ~np.repeat(flying, counts)]
    forwarded = np.where(keep_forward, forwarded, -1)
    nxt = np.where(keep_forward, nxt, -1)

    # Charges: intermediaries deduct under SHAR/CRED; the creditor agent also deducts under CRED.
    bearer = np.repeat(frame.bearer, counts)
    ccy_in = np.repeat(frame.ccy_in, counts)
    hop_last = pos == np.repeat(frame.hops.astype(np.int64) - 1, counts)
    processed = keep_forward | (status == 1)
    charge = processed & (pos > 0) & (((bearer == 2) & ~hop_last) | (bearer == 1))
    fee = FEES[ccy_in] * rng.uniform(0.6, 1.6, total)
    fee = np.where(FEES[ccy_in] >= 1000, np.round(fee, -1), np.round(fee, 2))
    charges = np.where(charge, fee, np.nan)
    deducted = np.bincount(pay, weights=np.nan_to_num(charges), minlength=n)

    day = (created // 86400).astype(np.int64)
    fx = np.where(
        frame.ccy_in != frame.ccy_out,
        per_usd[np.minimum(day, len(per_usd) - 1), frame.ccy_out]
        / per_usd[np.minimum(day, len(per_usd) - 1), frame.ccy_in]
        * (1 - CUSTOMER_MARGIN),
        np.nan,
    )
    fx = np.round(fx, 6)
    ev_fx = np.where(hop_last & (status == 1), np.repeat(fx, counts), np.nan)

    credited = frame.status == 1
    out_dec = np.array([DECIMALS[c] for c in CURRENCIES])[frame.ccy_out]
    gross = (frame.amount - deducted) * np.where(np.isnan(fx), 1.0, fx)
    settled = np.where(out_dec == 0, np.round(gross), np.round(gross, 2))
    settled = np.where(credited, settled, np.nan)

    req_day = (day + frame.future_days).astype(np.int64)
    value_day = np.full(n, -1, dtype=np.int64)
    for ci, code in enumerate(CURRENCIES):
        mask = credited & (frame.ccy_out == ci)
        if mask.any():
            value_day[mask] = _value_days(tables[code], created[mask], req_day[mask])
    end_received = received[last_idx]
    settle_sec = np.where(credited, np.maximum(end_received, value_day * 86400 + 7 * 3600), -1)
    return Settlement(
        fx,
        settled,
        value_day,
        req_day,
        settle_sec,
        pay,
        pos + 1,
        agent,
        nxt,
        received,
        forwarded,
        status,
        reason,
        charges,
        ev_fx,
        deducted,
    )


def _value_days(table: DayTable, created: np.ndarray, req_day: np.ndarray) -> np.ndarray:
    """Value date per the cut-off rule: same local business day before cut-off, else the next one."""
    utc_day = created // 86400
    local_sec = created + table.utc_offset_minutes[utc_day].astype(np.int64) * 60
    local_day = local_sec // 86400
    second = local_sec % 86400
    on_time = table.is_business[local_day] & (second <= table.cutoff_minutes * 60)
    earliest = np.where(
        on_time, local_day, table.next_business[np.minimum(local_day + 1, len(table.is_business) - 1)]
    )
    later = table.next_business[np.minimum(req_day, len(table.is_business) - 1)]
    return np.where(req_day > earliest, later, earliest)
