"""Alembic migrations: an empty database and one created by the pre-migration schema both reach head."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, text

import agent.store
import app.auth
import app.conversations
import core.audit
import core.controls
import core.users
import sandbox.actions_schema
from core.db import get_engine
from core.migrate import MigratedDatabase, current_revision, head_revision, upgrade
from core.schema import APP_DATABASE
from core.schema import metadata as app_metadata
from sandbox.schema import PAYMENTS_DATABASE
from sandbox.schema import metadata as payments_metadata
from tests.conftest import PROJECT_ROOT

LEGACY = Path(__file__).parent / "legacy"
# Every module that declares tables is imported above, so each metadata is complete.
_TABLE_MODULES = (
    agent.store,
    app.auth,
    app.conversations,
    core.audit,
    core.controls,
    core.users,
    sandbox.actions_schema,
)
DATABASES = {
    "app": (APP_DATABASE, app_metadata, "app_schema.sql"),
    "payments": (PAYMENTS_DATABASE, payments_metadata, "payments_schema.sql"),
}


def _engine(url: str, db: MigratedDatabase) -> Engine:
    return get_engine(url, foreign_keys=db.foreign_keys)


def _drift(engine: Engine, db: MigratedDatabase, metadata: MetaData) -> list[object]:
    """What autogenerate would change: empty when the migrations build exactly the declared tables."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": db.version_table, "compare_type": True})
        return list(compare_metadata(ctx, metadata))


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_empty_database_upgrades_to_head_and_matches_the_tables(tmp_path: Path, name: str) -> None:
    db, metadata, _ = DATABASES[name]
    engine = _engine(f"sqlite:///{tmp_path / 'empty.db'}", db)
    assert current_revision(engine, db) is None
    upgrade(engine, db)
    assert current_revision(engine, db) == head_revision(db)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    assert _drift(engine, db, metadata) == []


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_database_created_by_the_previous_schema_upgrades_and_keeps_its_rows(
    tmp_path: Path, name: str
) -> None:
    db, metadata, schema_file = DATABASES[name]
    path = tmp_path / "legacy.db"
    with sqlite3.connect(path) as conn:  # tables exactly as the pre-migration releases created them
        conn.executescript((LEGACY / schema_file).read_text())
        if name == "app":
            conn.execute(
                "INSERT INTO users VALUES ('analyst9', 'analyst', NULL, 1, 'x', 0, NULL, '2026-01-01T00:00:00+00:00')"
            )
            conn.execute("DROP TABLE controls")  # tables were created on first use: some may be missing
        else:
            conn.execute("INSERT INTO fx_rates VALUES ('2026-01-02', 'EUR', 'USD', 1.1)")
            conn.execute("DROP TABLE actions")
    engine = _engine(f"sqlite:///{path}", db)
    upgrade(engine, db)
    assert current_revision(engine, db) == head_revision(db)
    assert _drift(engine, db, metadata) == []
    with engine.connect() as conn:
        if name == "app":
            assert (
                conn.execute(text("SELECT role FROM users WHERE username = 'analyst9'")).scalar_one()
                == "analyst"
            )
        else:
            assert conn.execute(text("SELECT rate FROM fx_rates")).scalar_one() == pytest.approx(1.1)


def test_upgrade_runs_once_per_process(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path / 'once.db'}", APP_DATABASE)
    upgrade(engine, APP_DATABASE)
    with engine.begin() as conn:  # a second call must not touch the schema again
        conn.execute(text(f"DELETE FROM {APP_DATABASE.version_table}"))
    upgrade(engine, APP_DATABASE)
    assert current_revision(engine, APP_DATABASE) is None
    upgrade(engine, APP_DATABASE, force=True)
    assert current_revision(engine, APP_DATABASE) == head_revision(APP_DATABASE)


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(DATABASES))
def test_postgres_upgrades_from_empty_and_from_an_unversioned_database(postgres_url: str, name: str) -> None:
    db, metadata, _ = DATABASES[name]
    engine = _engine(postgres_url, db)
    upgrade(engine, db, "0001")
    with engine.begin() as conn:  # what the pre-migration releases left: the tables without a version row
        conn.execute(text(f"DROP TABLE {db.version_table}"))
    upgrade(engine, db, force=True)
    assert current_revision(engine, db) == head_revision(db)
    assert _drift(engine, db, metadata) == []


def test_both_databases_share_one_postgres_database_through_their_version_tables() -> None:
    assert APP_DATABASE.version_table != PAYMENTS_DATABASE.version_table


def test_db_upgrade_command_migrates_every_declared_database(tmp_path: Path) -> None:
    env = {**os.environ, "PAYINVEST_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "core.cli", "db", "upgrade"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert "app: at " in done.stdout and "payments: at " in done.stdout
    for name, (db, _, _) in DATABASES.items():
        file = "payinvest.db" if name == "app" else "payments.db"
        engine = _engine(f"sqlite:///{tmp_path / 'data' / file}", db)
        assert current_revision(engine, db) == head_revision(db)


def test_tables_are_created_only_by_the_migrations() -> None:
    offenders = []
    for package in ("core", "sandbox", "agent", "tools", "retrieval", "evals", "app", "bench", "prompts"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "migrate.py":
                continue
            source = path.read_text()
            if "create_all(" in source or "create_tables(" in source:
                offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
