"""The generator loads into PostgreSQL (psycopg 3) with the same rows as SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from sandbox.generator import read_seed_info, seed_database
from sandbox.schema import get_payments_engine
from tests.sandbox_data.conftest import seeded

pytestmark = pytest.mark.postgres


def test_seed_into_postgres_matches_sqlite(postgres_url: str, data_dir: Path) -> None:
    engine = get_payments_engine(postgres_url)
    report = seed_database(engine, payments=60, seed=11)
    assert report.counts["payments"] == 60 + report.counts["scenarios"] + 3
    assert read_seed_info(engine)["payments"] == 60
    lite = seeded(data_dir / "pg-twin.db", payments=60, seed=11)
    query = text("SELECT id, uetr, status, status_reason, value_date FROM payments ORDER BY id")
    with engine.connect() as pg, lite.connect() as sq:
        pg_rows = [(r[0], r[1], r[2], r[3], str(r[4]) if r[4] else None) for r in pg.execute(query)]
        sq_rows = [tuple(r) for r in sq.execute(query)]
    assert pg_rows == sq_rows
    with engine.connect() as pg:
        indexes = pg.execute(text("SELECT count(*) FROM pg_indexes WHERE tablename = 'payments'")).scalar()
    assert indexes >= 8
    engine.dispose()
