"""SQLAlchemy engines for the application database (users, conversations, proposals, audit)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event

# Seconds a PostgreSQL connection attempt may take. Without it libpq waits forever on a server that accepted the
# TCP connection but does not answer (a server in the middle of shutting down), and every request waiting for a
# connection hangs with it instead of getting a 503.
CONNECT_TIMEOUT_S = 5


def connect_kwargs(url: str) -> dict[str, Any]:
    """libpq options every PostgreSQL connection gets, unless the URL sets them itself."""
    return {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_S}


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs go through psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache(maxsize=8)
def get_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """One engine per URL per process; SQLite gets WAL and a busy timeout so workers can share the file."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            if foreign_keys:
                cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=connect_kwargs(url))
