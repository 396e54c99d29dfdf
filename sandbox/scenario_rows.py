"""Materialise every named scenario as database rows that make its truth hold."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from sandbox import schema
from sandbox.bulk import BulkWriter
from sandbox.calendar import value_date_for
from sandbox.fx import CUSTOMER_MARGIN, DECIMALS, currency_index
from sandbox.parties import Bank
from sandbox.scenarios import (
    SCENARIOS,
    Scenario,
    party_account,
    scenario_case_id,
    scenario_e2e,
    scenario_payment_id,
    scenario_uetr,
)
from sandbox.tracker_gen import FEES

HOP = timedelta(minutes=25)
TRANSIT = timedelta(minutes=2)
EVENT_ID_BASE = 900_000_000
FMT = "%Y-%m-%d %H:%M:%S"


class _Rows:
    """Rows per table collected for all scenarios."""

    def __init__(self) -> None:
        self.by_table: dict[str, list[tuple[Any, ...]]] = {}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.by_table.setdefault(table, []).append(row)


def insert_scenarios(
    writer: BulkWriter, banks: list[Bank], per_usd: np.ndarray, base: datetime
) -> dict[str, int]:
    """Insert all scenarios; returns row counts per table plus ``scenarios``."""
    rows = _Rows()
    bank_by_bic = {b.bic: b for b in banks}
    for scenario in SCENARIOS:
        _scenario(rows, scenario, bank_by_bic, per_usd, base)
    counts = {"scenarios": len(SCENARIOS)}
    for table in schema.metadata.sorted_tables:
        if table.name in rows.by_table:
            counts[table.name] = writer.insert(table, rows.by_table[table.name])
    return counts


def _scenario(rows: _Rows, sc: Scenario, banks: dict[str, Bank], per_usd: np.ndarray, base: datetime) -> None:
    s, n = sc.setup, sc.number
    _debtor_bic, _creditor_bic = s["debtor"][1], s["creditor"][1]
    ccy = s["currency"]
    out_ccy = s.get("settled_currency", ccy)
    for role, (name, bic), acc_ccy in ((1, s["debtor"], ccy), (2, s["creditor"], out_ccy)):
        account_id, iban, local = party_account(n, role, bic)
        customer_id = f"CUST-9{n:04d}{role}"
        holder = s.get("creditor_holder", name) if role == 2 else name
        status = s.get("creditor_account_status", "active") if role == 2 else "active"
        kind = (
            "business"
            if any(w in name for w in ("Ltd", "GmbH", "Inc", "AG", "S.", "B.V.", "K.K", "Pte"))
            else "person"
        )
        rows.add("customers", (customer_id, holder, kind, banks[bic].country))
        rows.add(
            "accounts",
            (
                account_id,
                iban,
                local,
                customer_id,
                bic,
                acc_ccy,
                holder,
                status,
                "2019-03-01",
                "2026-10-31" if status == "closed" else None,
            ),
        )
    created = datetime.strptime(s["created"], FMT)
    main = _payment(rows, sc, banks, per_usd, base, created, s["outcome"], twin=False)
    if "twin" in s:
        twin = s["twin"]
        twin_created = created + timedelta(minutes=twin["minutes_after"])
        _payment(rows, sc, banks, per_usd, base, twin_created, twin["outcome"], twin=True)
        if "return" in twin:
            ret = twin["return"]
            rows.add(
                "returns",
                (
                    f"RET-9{n:04d}2",
                    scenario_payment_id(n, True),
                    main["id"],
                    ret["reason"],
                    s["amount"],
                    ccy,
                    _fmt(twin_created + timedelta(days=ret["days_after"])),
                ),
            )
    if "return" in s:
        ret = s["return"]
        rows.add(
            "returns",
            (
                f"RET-9{n:04d}1",
                main["id"],
                main["id"],
                ret["reason"],
                s["amount"],
                ccy,
                _fmt(created + timedelta(days=ret["days_after"])),
            ),
        )
    stop_at = main["stop_time"]
    if "hit" in s:
        hit = s["hit"]
        rows.add(
            "screening_hits",
            (
                f"HIT-9{n:04d}1",
                main["id"],
                hit["list"],
                hit["matched_name"],
                hit["party"],
                hit["score"],
                hit["status"],
                _fmt(stop_at + timedelta(minutes=3)),
                None,
            ),
        )
    if "hold" in s:
        hold = s["hold"]
        rows.add(
            "holds",
            (
                f"HOLD-9{n:04d}1",
                main["id"],
                hold["kind"],
                hold.get("status", "active"),
                hold["reason"],
                _fmt(stop_at + timedelta(minutes=5)),
                None,
            ),
        )
    if "case" in s:
        case = s["case"]
        pid = scenario_payment_id(n, twin=case.get("on") == "twin")
        opened = created + timedelta(days=1)
        closed = case["status"] == "closed"
        rows.add(
            "cases",
            (
                scenario_case_id(n),
                pid,
                sc.case_type.value,
                case["status"],
                _fmt(opened),
                _fmt(opened + timedelta(days=3)) if closed else None,
                case.get("resolution"),
                case["summary"],
                "analyst1",
                case.get("answer_status"),
                case.get("answer_reason"),
            ),
        )


def _fmt(moment: datetime) -> str:
    return moment.strftime(FMT)


def _payment(
    rows: _Rows,
    sc: Scenario,
    banks: dict[str, Bank],
    per_usd: np.ndarray,
    base: datetime,
    created: datetime,
    outcome: dict[str, Any],
    *,
    twin: bool,
) -> dict[str, Any]:
    s, n = sc.setup, sc.number
    path = [s["debtor"][1], *s.get("via", []), s["creditor"][1]]
    at = path.index(outcome["at"])
    status, reason = outcome["status"], outcome.get("reason")
    flying = status == "ACSP" and reason in ("G000", "G001")
    ccy, out_ccy, bearer = s["currency"], s.get("settled_currency", s["currency"]), s.get("bearer", "SHAR")
    pid = scenario_payment_id(n, twin)
    charges = s.get("charges")
    deducted = 0.0
    received = created
    for pos in range(at + 1):
        forwards = pos < at or flying
        processed = forwards or status == "ACCC"
        fee = None
        if charges is not None:
            fee = charges.get(path[pos])
        elif processed and pos > 0 and ((bearer == "SHAR" and pos < len(path) - 1) or bearer == "CRED"):
            fee = float(FEES[currency_index(ccy)])
        deducted += fee or 0.0
        last = pos == at
        ev_status = status if last and not flying else "ACSP"
        ev_reason = reason if last and not flying else "G000" if banks[path[pos + 1]].gpi else "G001"
        fx = None
        if last and status == "ACCC" and ccy != out_ccy:
            fx = _fx(per_usd, base, created, ccy, out_ccy)
        rows.add(
            "tracker_events",
            (
                EVENT_ID_BASE + n * 20 + (10 if twin else 0) + pos,
                pid,
                pos + 1,
                path[pos],
                _fmt(received),
                _fmt(received + HOP) if forwards else None,
                ev_status,
                ev_reason,
                fee,
                ccy if fee else None,
                fx,
                path[pos + 1] if forwards else None,
            ),
        )
        stop_time = received
        received = received + HOP + TRANSIT
    fx_rate = _fx(per_usd, base, created, ccy, out_ccy) if ccy != out_ccy else None
    settled = value_date = settlement_at = None
    if status == "ACCC":
        settled = round((s["amount"] - deducted) * (fx_rate or 1.0), DECIMALS[out_ccy])
        value_date = (
            date.fromisoformat(s["value_date"])
            if "value_date" in s
            else value_date_for(out_ccy, created, created.date())
        )
        settlement_at = max(stop_time, datetime.combine(value_date, datetime.min.time()) + timedelta(hours=7))
    refs = sc.references
    uetr = scenario_uetr(sc.id + ("#twin" if twin else ""))
    d_bank, c_bank = banks[path[0]], banks[path[-1]]
    remittance = s.get("remittance", f"Invoice {n:03d}-2026")
    rows.add(
        "payments",
        (
            pid,
            uetr,
            scenario_e2e(sc.id, n, twin),
            f"INS9{n:04d}{int(twin)}",
            f"MSG9{n:04d}{int(twin)}",
            f"TX9{n:04d}{int(twin)}",
            "pacs.008",
            s["debtor"][0],
            refs["debtor_account"],
            d_bank.bic,
            d_bank.country,
            s["creditor"][0],
            refs["creditor_account"],
            c_bank.bic,
            c_bank.country,
            json.dumps(path[1:-1]),
            s["amount"],
            ccy,
            settled,
            out_ccy,
            fx_rate,
            bearer,
            created.date().isoformat(),
            value_date.isoformat() if value_date else None,
            _fmt(settlement_at) if settlement_at else None,
            status,
            reason,
            remittance,
            "SUPP",
            _fmt(created),
            sc.id,
        ),
    )
    risk = s.get("risk", {"score": 0.42, "flags": []})
    rows.add(
        "risk_scores", (pid, risk["score"], json.dumps(risk["flags"]), "scenario", risk.get("fraud_type"))
    )
    return {"id": pid, "stop_time": stop_time}


def _fx(per_usd: np.ndarray, base: datetime, created: datetime, ccy: str, out_ccy: str) -> float:
    day = min((created - base).days, len(per_usd) - 1)
    rate = per_usd[day, currency_index(out_ccy)] / per_usd[day, currency_index(ccy)] * (1 - CUSTOMER_MARGIN)
    return round(float(rate), 6)
