"""Same seed and size give identical rows; another seed gives other rows; scenarios never move."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, text

from tests.sandbox_data.conftest import SEED, SMALL_N, seeded

TABLES = (
    "banks",
    "customers",
    "accounts",
    "payments",
    "tracker_events",
    "screening_hits",
    "holds",
    "returns",
    "cases",
    "fx_rates",
    "risk_scores",
)


def table_hash(engine: Engine, table: str, where: str = "") -> str:
    """SHA-256 over every row of a table in primary-key order."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for row in conn.execute(text(f"SELECT * FROM {table} {where} ORDER BY 1, 2")):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_same_seed_gives_identical_rows(seeded_engine: Engine, data_dir: Path) -> None:
    again = seeded(data_dir / "again.db")
    for table in TABLES:
        assert table_hash(again, table) == table_hash(seeded_engine, table), table


def test_other_seed_gives_other_rows(seeded_engine: Engine, data_dir: Path) -> None:
    other = seeded(data_dir / "other.db", seed=SEED + 1)
    assert table_hash(other, "payments") != table_hash(seeded_engine, "payments")
    assert table_hash(other, "tracker_events") != table_hash(seeded_engine, "tracker_events")


def test_scenario_rows_do_not_depend_on_size_or_seed(seeded_engine: Engine, data_dir: Path) -> None:
    small = seeded(data_dir / "tiny.db", payments=SMALL_N // 6, seed=SEED + 2)
    only_scenarios = "WHERE scenario_id IS NOT NULL"
    assert table_hash(small, "payments", only_scenarios) == table_hash(
        seeded_engine, "payments", only_scenarios
    )
    events = "WHERE id >= 900000000"
    assert table_hash(small, "tracker_events", events) == table_hash(seeded_engine, "tracker_events", events)


def test_random_payment_count_matches_request(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as conn:
        random_rows = conn.execute(text("SELECT count(*) FROM payments WHERE scenario_id IS NULL")).scalar()
        ids = [
            r[0] for r in conn.execute(text("SELECT id FROM payments WHERE scenario_id IS NULL ORDER BY id"))
        ]
    assert random_rows == SMALL_N
    assert ids[0] == "PAY-00000001" and ids[-1] == f"PAY-{SMALL_N:08d}"
