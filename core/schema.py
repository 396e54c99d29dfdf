"""The application database (payinvest.db): its one ``MetaData`` and the door that opens it migrated.

Every table of the application database is declared against :data:`metadata`; the tables themselves are
created only by the migrations under ``core/migrations`` (see :mod:`core.migrate`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData

from core.db import get_engine
from core.migrate import MigratedDatabase, upgrade

metadata = MetaData()

APP_DATABASE = MigratedDatabase("app", "core:migrations", "alembic_version", settings_url="app_db_url")


def upgrade_app_db(engine: Engine) -> Engine:
    """Migrate the application database behind ``engine`` to head (once per process) and return it."""
    upgrade(engine, APP_DATABASE)
    return engine


def open_app_db(url: str) -> Engine:
    """The shared engine of the application database at ``url``, migrated to head."""
    return upgrade_app_db(get_engine(url))


def utcnow() -> datetime:
    """The time stores stamp rows with (timezone-aware UTC)."""
    return datetime.now(UTC)


def iso(value: datetime | str | None) -> str | None:
    """A stored timestamp as ISO 8601 with its UTC offset (SQLite hands ``DateTime`` columns back naive)."""
    if value is None or isinstance(value, str):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
