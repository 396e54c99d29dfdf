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
import core.audit
import core.controls
import core.conversations
import core.login_throttle
import core.releases
import core.user_changes
import core.users
import evals.candidates
import sandbox.actions_schema
import sandbox.api_security
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
    core.conversations,
    core.audit,
    core.controls,
    core.users,
    evals.candidates,
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


def test_upgrade_runs_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.migrate

    calls: list[str] = []
    real = core.migrate.command.upgrade
    monkeypatch.setattr(core.migrate.command, "upgrade", lambda cfg, rev: calls.append(rev) or real(cfg, rev))
    engine = _engine(f"sqlite:///{tmp_path / 'once.db'}", APP_DATABASE)
    for _ in range(3):  # serve, the agent service and the stores all ask; only the first one migrates
        upgrade(engine, APP_DATABASE)
    assert calls == ["head"]
    upgrade(engine, APP_DATABASE, force=True)  # `payinvest db upgrade` always looks
    assert calls == ["head", "head"]
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
    # Spelled in two parts so that grepping the tree for them finds only the migration path.
    needles = ("create" + "_all(", "create" + "_tables(")
    offenders = []
    for package in ("core", "sandbox", "agent", "tools", "retrieval", "evals", "app", "bench", "prompts"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "migrate.py":
                continue
            source = path.read_text()
            if any(needle in source for needle in needles):
                offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


def test_the_two_conversation_tables_of_the_previous_schema_merge_into_one(tmp_path: Path) -> None:
    from core.conversations import ConversationRepository

    path = tmp_path / "legacy.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((LEGACY / "app_schema.sql").read_text())
        agent_row = "INSERT INTO agent_conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        conn.execute(
            agent_row,
            (
                "both",
                "analyst1",
                "asked",
                "claim_non_receipt",
                '{"uetrs": ["u"]}',
                2,
                "2026-01-01 10:00:00",
                "2026-01-01 10:05:00",
            ),
        )
        conn.execute(
            agent_row,
            (
                "cli-only",
                "analyst2",
                "from the CLI",
                None,
                "{}",
                1,
                "2026-01-02 09:00:00",
                "2026-01-02 09:00:00",
            ),
        )
        web_row = "INSERT INTO web_conversations VALUES (?, ?, ?, ?, ?, ?)"
        conn.execute(
            web_row,
            (
                "both",
                "analyst1",
                "Missing payment",
                "2026-01-01T09:59:00+00:00",
                "2026-01-01T10:06:00+00:00",
                None,
            ),
        )
        conn.execute(
            web_row,
            (
                "web-only",
                "analyst1",
                "New conversation",
                "2026-01-03T08:00:00+00:00",
                "2026-01-03T08:00:00+00:00",
                None,
            ),
        )
        conn.execute(
            "INSERT INTO agent_proposals (id, thread_id, turn, kind, args, reason_code, evidence_ids, explanation, status,"
            " requested_by, idempotency_key, revision, history, created_at, updated_at) VALUES"
            " ('PR-1', 'cli-only', 1, 'recall', '{}', 'DUPL', '[]', '', 'submitted', 'analyst2', 'k1', 0, '[]',"
            " '2026-01-02 09:01:00', '2026-01-02 09:01:00')"
        )
    engine = _engine(f"sqlite:///{path}", APP_DATABASE)
    upgrade(engine, APP_DATABASE)
    assert not {"agent_conversations", "web_conversations"} & set(inspect(engine).get_table_names())
    repo = ConversationRepository(engine)
    both = repo.get("both")
    assert both is not None
    assert (both.owner, both.title, both.turns, both.case_type) == (
        "analyst1",
        "Missing payment",
        2,
        "claim_non_receipt",
    )
    assert both.references == {"uetrs": ["u"]} and both.submitted_at is None
    assert both.created_at.startswith("2026-01-01T09:59") and both.updated_at.startswith("2026-01-01T10:06")
    cli_only = repo.get("cli-only")
    assert cli_only is not None and cli_only.submitted_at is not None  # its proposal was already submitted
    assert [c.id for c in repo.list(owner="analyst1")] == ["web-only", "both"]
    assert [c.id for c in repo.list(submitted=True)] == ["cli-only"]
