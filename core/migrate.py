"""Schema migrations (Alembic): the only place tables are created, run once per process per database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

# Any constant: the advisory lock every process takes while it migrates a PostgreSQL database.
_MIGRATION_LOCK_ID = 7_224_466_001


@dataclass(frozen=True)
class MigratedDatabase:
    """A database whose schema is owned by one Alembic script directory."""

    name: str
    script_location: str  # "package:directory", resolved through importlib.resources
    version_table: str  # distinct per database, so two of them may share one PostgreSQL database
    settings_url: str  # the Settings property holding this database's URL
    foreign_keys: bool = True  # SQLite foreign keys on the engine (off for the payments bulk loader)


# Alembic reports every step at INFO; the project logs at INFO by default.
logging.getLogger("alembic").setLevel(logging.WARNING)

_done: set[tuple[str, str]] = set()
_lock = threading.Lock()


def _config(db: MigratedDatabase) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", db.script_location)
    cfg.attributes["version_table"] = db.version_table
    return cfg


def head_revision(db: MigratedDatabase) -> str | None:
    """The newest revision of ``db``'s scripts."""
    return ScriptDirectory.from_config(_config(db)).get_current_head()


def current_revision(engine: Engine, db: MigratedDatabase) -> str | None:
    """The revision ``engine``'s database is at (None: never migrated)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": db.version_table})
        return ctx.get_current_revision()


def upgrade(engine: Engine, db: MigratedDatabase, revision: str = "head", *, force: bool = False) -> None:
    """Bring ``engine``'s database to ``revision``; a no-op after the first call in this process."""
    key = (engine.url.render_as_string(hide_password=False), db.name)
    with _lock:
        if key in _done and not force:
            return
        cfg = _config(db)
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # processes starting together migrate one at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        if revision == "head":
            _done.add(key)


def forget(engine: Engine) -> None:
    """Let the next ``upgrade`` run again (a database was dropped and recreated under the same URL)."""
    url = engine.url.render_as_string(hide_password=False)
    with _lock:
        for key in [k for k in _done if k[0] == url]:
            _done.discard(key)


def run_env() -> None:
    """Body of every ``env.py``: migrate over the connection ``upgrade`` handed in."""
    from alembic import context

    config = context.config
    connection = config.attributes["connection"]
    context.configure(connection=connection, version_table=config.attributes["version_table"])
    with context.begin_transaction():
        context.run_migrations()


def table_exists(table: str) -> bool:
    """Inside a migration: whether ``table`` is already there (baselines adopt databases made before migrations)."""
    import sqlalchemy as sa
    from alembic import op

    return sa.inspect(op.get_bind()).has_table(table)
