"""Deterministic synthetic payments database: ``seed_database`` (what ``payinvest seed`` runs)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import cast

import numpy as np
from sqlalchemy import Engine, inspect, select

from sandbox import schema
from sandbox.bulk import BulkWriter
from sandbox.calendar import SANDBOX_AS_OF, day_table
from sandbox.fx import CURRENCIES, PER_USD, fx_rows, rate_matrix
from sandbox.parties import Bank, build_banks, build_parties
from sandbox.payments_gen import WINDOW_DAYS, PaymentFrame, generate_frame
from sandbox.risk import RiskResult
from sandbox.tracker_gen import settle

GENERATOR_VERSION = "1.1"  # 1.1: cases carry the camt.029 answer (answer_status, answer_reason)
# The sandbox clock: 16:00 UTC on SANDBOX_AS_OF. Nothing depends on the wall clock.
SANDBOX_NOW = datetime(SANDBOX_AS_OF.year, SANDBOX_AS_OF.month, SANDBOX_AS_OF.day, 16, 0)
WINDOW_START = datetime.combine(SANDBOX_AS_OF - timedelta(days=WINDOW_DAYS), datetime.min.time())
CALENDAR_DAYS = WINDOW_DAYS + 60
BATCH = 50_000

Progress = Callable[[str, int, int], None]


class SeedError(ValueError):
    """The seed request cannot be carried out (bad size, or a database seeded differently)."""


@dataclass
class SeedReport:
    """What a seed run did (the ``payinvest seed --json`` contract)."""

    seed: int
    payments: int
    scenarios: int
    counts: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    skipped: bool = False
    database: str = ""
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form."""
        return asdict(self)


def read_seed_info(engine: Engine) -> dict[str, object] | None:
    """The stored seed metadata, or None for an unseeded database."""
    if not inspect(engine).has_table("seed_info"):
        return None
    with engine.connect() as conn:
        row = conn.execute(select(schema.seed_info)).mappings().first()
    return dict(row) if row else None


def seed_database(
    engine: Engine, *, payments: int, seed: int, progress: Progress | None = None, force: bool = False
) -> SeedReport:
    """Fill the payments database with ``payments`` random payments plus every named scenario.

    Same seed and size give the same rows and ids. An identical existing seed is left alone unless ``force``;
    a database seeded with another seed or size raises ``SeedError`` unless ``force``.
    """
    if payments < 0:
        raise SeedError(f"--payments must be >= 0, got {payments}")
    if payments > 20_000_000:
        raise SeedError(f"--payments must be <= 20000000, got {payments}")
    schema.upgrade_payments_db(engine)
    info = read_seed_info(engine)
    if info and not force:
        if (
            info["seed"] == seed
            and info["payments"] == payments
            and info["generator_version"] == GENERATOR_VERSION
        ):
            counts = json.loads(str(info["counts"]))
            return SeedReport(
                seed,
                payments,
                counts.get("scenarios", 0),
                counts,
                float(cast(float, info["elapsed_seconds"])),
                skipped=True,
                database=_url(engine),
            )
        if info["seed"] != seed or info["payments"] != payments:
            raise SeedError(
                f"database already seeded with seed={info['seed']} payments={info['payments']}; "
                "use --force to replace it"
            )
        # Same seed and size from an older generator: the rows are regenerated (they are derived data).
    starts: dict[str, float] = {}

    def report(stage: str, done: int, total: int) -> None:
        starts.setdefault(stage, time.perf_counter())
        if progress is not None:
            progress(stage, done, total)

    started = time.perf_counter()
    counts = _load(engine, payments, seed, report)
    ended = time.perf_counter()
    elapsed = round(ended - started, 2)
    marks = [*sorted(starts.items(), key=lambda item: item[1]), ("", ended)]
    stages = {name: round(marks[i + 1][1] - at, 2) for i, (name, at) in enumerate(marks[:-1])}
    with engine.begin() as conn:
        conn.execute(schema.seed_info.delete())
        conn.execute(
            schema.seed_info.insert().values(
                id=1,
                seed=seed,
                payments=payments,
                generator_version=GENERATOR_VERSION,
                created_at=SANDBOX_NOW,
                elapsed_seconds=elapsed,
                counts=json.dumps(counts),
            )
        )
    return SeedReport(
        seed, payments, counts["scenarios"], counts, elapsed, database=_url(engine), stage_seconds=stages
    )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _load(engine: Engine, n: int, seed: int, report: Progress) -> dict[str, int]:
    import sandbox.actions_schema  # noqa: F401  (the API's actions table is emptied with the rest)
    from sandbox.incidents import build_incidents
    from sandbox.rows import account_rows, bank_rows, customer_rows, event_rows, payment_rows
    from sandbox.scenario_rows import insert_scenarios

    report("parties", 0, 1)
    rng = np.random.default_rng(seed)
    banks = build_banks()
    parties = build_parties(rng, banks, int(min(max(n // 12, 300), 80_000)), SANDBOX_AS_OF)
    now_sec = int((SANDBOX_NOW - WINDOW_START).total_seconds())
    report("generate", 0, n)
    frame = generate_frame(rng, banks, parties, n, now_sec) if n else None
    per_usd = rate_matrix(CALENDAR_DAYS)
    tables = {c: day_table(c, WINDOW_START.date(), CALENDAR_DAYS) for c in CURRENCIES}
    st = settle(rng, frame, banks, per_usd, tables, now_sec) if frame else None
    # The risk model runs on the second core while this thread writes rows (SQLite releases the GIL).
    pool = ThreadPoolExecutor(max_workers=1)
    risk_future = pool.submit(_assess_risk, frame, banks, seed) if frame else None

    counts: dict[str, int] = {}
    writer = BulkWriter(engine)
    try:
        all_tables = [t for t in schema.metadata.sorted_tables]
        writer.clear(all_tables)
        counts["banks"] = writer.insert(schema.banks, bank_rows(banks))
        counts["customers"] = writer.insert(schema.customers, customer_rows(parties))
        counts["accounts"] = writer.insert(schema.accounts, account_rows(parties, banks, SANDBOX_AS_OF))
        counts["fx_rates"] = writer.insert(schema.fx_rates, fx_rows(per_usd, WINDOW_START.date()))
        counts["payments"] = counts["tracker_events"] = 0
        if frame is not None and st is not None and risk_future is not None:
            for lo in range(0, n, BATCH):
                rows = payment_rows(rng, frame, st, banks, parties, WINDOW_START, lo, min(n, lo + BATCH))
                counts["payments"] += writer.insert(schema.payments, rows)
                report("payments", min(n, lo + BATCH), n)
            total_events = len(st.ev_payment)
            for rows in event_rows(st, frame, banks, WINDOW_START, 0, total_events):
                counts["tracker_events"] += writer.insert(schema.tracker_events, rows)
                report("tracker", counts["tracker_events"], total_events)
            report("incidents", 0, 1)
            inc = build_incidents(rng, frame, st, parties, WINDOW_START)
            report("risk", 0, n)
            counts["risk_scores"] = _insert_risk(writer, risk_future.result())
            report("risk", n, n)
        else:
            inc = None
        for table, rows in (
            (schema.screening_hits, inc.hits if inc else []),
            (schema.holds, inc.holds if inc else []),
            (schema.returns, inc.returns if inc else []),
            (schema.cases, inc.cases if inc else []),
        ):
            counts[table.name] = writer.insert(table, rows)
        report("scenarios", 0, 1)
        scenario_counts = insert_scenarios(writer, banks, per_usd, WINDOW_START)
        for key, value in scenario_counts.items():
            counts[key] = counts.get(key, 0) + value
        report("indexes", 0, 1)
        writer.create_indexes(all_tables)
        report("indexes", 1, 1)
        report("close", 0, 1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        writer.close()
    return counts


def _assess_risk(frame: PaymentFrame, banks: list[Bank], seed: int) -> RiskResult:
    """Risk features, IsolationForest scores and red flags for every random payment."""
    from sandbox.risk import assess

    country = np.array([b.country for b in banks])
    eur = frame.amount / PER_USD[frame.ccy_in] * PER_USD[0]
    creditor_country = country[frame.path[np.arange(frame.n), frame.hops - 1]]
    return assess(
        frame.debtor,
        frame.creditor,
        creditor_country,
        eur,
        frame.created,
        frame.ccy_in != frame.ccy_out,
        seed=seed,
    )


def _insert_risk(writer: BulkWriter, result: RiskResult) -> int:
    """Write ``risk_scores`` rows in batches."""
    from sandbox.risk import MODEL_VERSION
    from sandbox.rows import payment_ids

    scores = result.score.tolist()
    total = 0
    for lo in range(0, len(scores), BATCH):
        hi = min(len(scores), lo + BATCH)
        rows = list(
            zip(
                payment_ids(lo, hi),
                scores[lo:hi],
                result.flags[lo:hi],
                [MODEL_VERSION] * (hi - lo),
                strict=True,
            )
        )
        total += writer.insert(schema.risk_scores, rows, ["payment_id", "score", "flags", "model_version"])
    return total
