"""Vectorised generation of the random payments: parties, corridors, amounts, paths and outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.fx import CURRENCIES, DECIMALS, PER_USD, currency_index
from sandbox.parties import Bank, PartyArrays

BEARERS = ("DEBT", "CRED", "SHAR", "SLEV")
STATUSES = ("ACSP", "ACCC", "RJCT")
PURPOSES = ("SUPP", "GDDS", "SALA", "RENT", "SCVE", "OTHR")
REJECT_CODES = ("AC01", "BE01", "RR04", "MS03", "AM04")
WINDOW_DAYS = 200  # payments are created over the 200 days that end at the sandbox clock
HUB_BICS = ("HUDSUS33", "LAKEUS44", "THAMGB2L")


@dataclass
class PaymentFrame:
    """The random payments as parallel arrays (row i is payment PAY-{i+1:08d})."""

    n: int
    created: np.ndarray  # int64 seconds since window start (UTC)
    debtor: np.ndarray  # account row
    creditor: np.ndarray  # account row
    amount: np.ndarray  # instructed amount, rounded to the currency's decimals
    ccy_in: np.ndarray  # currency index (debtor account currency)
    ccy_out: np.ndarray  # currency index (creditor account currency)
    bearer: np.ndarray  # index into BEARERS
    purpose: np.ndarray
    remit: np.ndarray  # (n, 2) template index and reference number
    dup_of: np.ndarray  # row of the original payment for a duplicate, else -1
    path: np.ndarray  # (n, 5) bank rows, -1 padded: debtor agent, intermediaries, creditor agent
    hops: np.ndarray  # agents on the path (2..5)
    stop: np.ndarray  # path position of the last tracker event
    status: np.ndarray  # index into STATUSES
    reason: np.ndarray  # object array: status reason code or None
    future_days: np.ndarray  # requested execution date = created day + future_days


def _pick(rng: np.random.Generator, choices: np.ndarray, n: int) -> np.ndarray:
    return choices[rng.integers(0, len(choices), n)]


def generate_frame(
    rng: np.random.Generator, banks: list[Bank], parties: PartyArrays, n: int, now_sec: int
) -> PaymentFrame:
    """Draw ``n`` payments; ids follow creation time."""
    n_acc = len(parties.account_ids)
    active = np.array([s == "active" for s in parties.account_status])
    activity = rng.lognormal(0.0, 1.0, n_acc) * active
    debtor = rng.choice(n_acc, n, p=activity / activity.sum()).astype(np.int32)
    usual = rng.integers(0, n_acc, size=(n_acc, 4), dtype=np.int32)
    creditor = np.where(rng.random(n) < 0.8, usual[debtor, rng.integers(0, 4, n)], rng.integers(0, n_acc, n))
    creditor = np.where(creditor == debtor, (creditor + 1) % n_acc, creditor).astype(np.int32)

    created = np.sort(rng.integers(0, now_sec - 3600, n)).astype(np.int64)
    # Business hours dominate: shift most payments to between 07:00 and 19:00 UTC of their day.
    day_start = created - created % 86400
    office = rng.random(n) < 0.9
    created = np.where(office, day_start + rng.integers(7 * 3600, 19 * 3600, n), created)
    order = np.argsort(created, kind="stable")
    created, debtor, creditor = created[order], debtor[order], creditor[order]

    bank_ccy = np.array([currency_index(b.currency) for b in banks])
    ccy_in = bank_ccy[parties.account_bank[debtor]]
    ccy_out = bank_ccy[parties.account_bank[creditor]]
    eur_amount = np.exp(parties.log_amount_mean[debtor] + rng.normal(0, 0.9, n))
    amount = eur_amount * PER_USD[ccy_in] / PER_USD[0]
    roundish = rng.random(n) < 0.06
    amount = np.where(roundish, np.maximum(np.round(amount, -3), 1000.0), amount)
    decimals = np.array([DECIMALS[c] for c in CURRENCIES])[ccy_in]
    amount = np.where(decimals == 0, np.round(amount), np.round(amount, 2))
    amount = np.maximum(amount, 1.0)

    eur = currency_index("EUR")
    sepa = (ccy_in == eur) & (ccy_out == eur)
    bearer = np.where(sepa & (rng.random(n) < 0.7), 3, rng.choice(3, n, p=[0.2, 0.1, 0.7])).astype(np.int8)
    purpose = rng.integers(0, len(PURPOSES), n).astype(np.int8)
    remit = np.stack([rng.integers(0, 8, n), rng.integers(10000, 999999, n)], axis=1)

    dup_of = np.full(n, -1, dtype=np.int64)
    if n > 200:
        dups = rng.choice(np.arange(100, n), max(1, n // 250), replace=False)
        src = dups - rng.integers(1, 60, len(dups))
        dup_of[dups] = src
        for arr in (debtor, creditor, amount, ccy_in, ccy_out, bearer, purpose):
            arr[dups] = arr[src]
        remit[dups] = remit[src]
        created[dups] = created[src] + rng.integers(300, 2 * 86400, len(dups))
        created[dups] = np.minimum(created[dups], now_sec - 7200)

    path, hops = _paths(rng, banks, parties, debtor, creditor, ccy_in, ccy_out)
    if n > 200:
        path[dups] = path[dup_of[dups]]
        hops[dups] = hops[dup_of[dups]]
    stop, status, reason = _outcomes(rng, banks, parties, creditor, path, hops, created, now_sec)
    if n > 200:  # duplicates went through: the problem is that they exist at all
        stop[dups], status[dups], reason[dups] = hops[dups] - 1, 1, None
    future = np.where((rng.random(n) < 0.08) & (created < now_sec - 20 * 86400), rng.integers(1, 10, n), 0)
    return PaymentFrame(
        n,
        created,
        debtor,
        creditor,
        amount,
        ccy_in,
        ccy_out,
        bearer,
        purpose,
        remit,
        dup_of,
        path,
        hops,
        stop,
        status,
        reason,
        future.astype(np.int32),
    )


def _paths(rng, banks, parties, debtor, creditor, ccy_in, ccy_out):  # type: ignore[no-untyped-def]
    """Agent chains: domestic direct, euro area 0-1 hops, other corridors 1-3 correspondents."""
    n = len(debtor)
    country = np.array([b.country for b in banks])
    da = parties.account_bank[debtor].astype(np.int32)
    ca = parties.account_bank[creditor].astype(np.int32)
    domestic = country[da] == country[ca]
    same_ccy = ccy_in == ccy_out
    n_int = np.where(
        domestic,
        0,
        np.where(same_ccy, (rng.random(n) < 0.3).astype(int), rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15])),
    )
    gpi_by_ccy = {
        c: np.array([i for i, b in enumerate(banks) if b.currency == c and b.gpi]) for c in CURRENCIES
    }
    hubs = np.array([i for i, b in enumerate(banks) if b.bic in HUB_BICS])
    corr_out = np.empty(n, dtype=np.int32)
    corr_in = np.empty(n, dtype=np.int32)
    for ci, code in enumerate(CURRENCIES):
        pool = gpi_by_ccy[code]
        mask = ccy_out == ci
        corr_out[mask] = _pick(rng, pool, int(mask.sum()))
        mask = ccy_in == ci
        corr_in[mask] = _pick(rng, pool, int(mask.sum()))
    hub = _pick(rng, hubs, n)
    path = np.full((n, 5), -1, dtype=np.int32)
    path[:, 0] = da
    path[:, 1] = np.where(n_int >= 3, corr_in, -1)
    path[:, 2] = np.where(n_int >= 2, hub, -1)
    path[:, 3] = np.where(n_int >= 1, corr_out, -1)
    path[:, 4] = ca
    # Drop an intermediary that repeats an agent already on the path.
    for col in (1, 2, 3):
        for other in range(5):
            if other != col:
                path[:, col] = np.where(path[:, col] == path[:, other], -1, path[:, col])
    valid = path >= 0
    order = np.argsort(~valid, axis=1, kind="stable")
    path = np.take_along_axis(path, order, axis=1)
    return path, valid.sum(axis=1).astype(np.int8)


def _outcomes(rng, banks, parties, creditor, path, hops, created, now_sec):  # type: ignore[no-untyped-def]
    """Where each payment's tracker ends and with which status and reason."""
    n = len(creditor)
    last = hops.astype(np.int32) - 1
    u = rng.random(n)
    status = np.ones(n, dtype=np.int8)  # ACCC
    stop = last.copy()
    reason = np.full(n, None, dtype=object)
    acc_status = np.array(parties.account_status)[creditor]

    rejected = (u < 0.012) | (acc_status != "active")
    code = np.array(REJECT_CODES)[rng.integers(0, len(REJECT_CODES), n)]
    code = np.where(acc_status == "closed", "AC04", np.where(acc_status == "blocked", "AC06", code))
    status[rejected] = 2
    reason[rejected] = code[rejected]
    stop[rejected & (code == "AM04")] = 0  # insufficient funds: the debtor agent rejects

    stuck = ~rejected & (u >= 0.012) & (u < 0.032)
    stuck_code = np.where(u < 0.022, "G002", np.where(u < 0.028, "G003", "G004"))
    status[stuck] = 0
    reason[stuck] = stuck_code[stuck]
    mid = np.maximum(1, (rng.random(n) * hops).astype(np.int32))
    stop[stuck] = np.where(stuck_code[stuck] == "G002", np.minimum(mid[stuck], last[stuck]), last[stuck])

    gpi = np.array([b.gpi for b in banks] + [True])  # index -1 maps to the padding entry
    recent = created > now_sec - 4 * 3600
    flying = ~rejected & ~stuck & recent & (rng.random(n) < 0.6)
    status[flying] = 0
    stop[flying] = np.minimum(
        (rng.random(int(flying.sum())) * last[flying]).astype(np.int32), last[flying] - 1
    )
    nxt = path[np.arange(n), np.minimum(stop + 1, 4)]
    reason[flying] = np.where(gpi[nxt[flying]], "G000", "G001")
    return stop.astype(np.int8), status, reason
