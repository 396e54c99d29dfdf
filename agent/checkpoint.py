"""The LangGraph checkpointer: AsyncSqliteSaver in the data directory, or Postgres for a postgres URL."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from core.db import connect_kwargs
from core.settings import Settings


def checkpoint_path(settings: Settings) -> Path:
    """The SQLite checkpoint file: beside the app database when that is a SQLite file, else in the data
    directory. Services with their own app database (the eval's lanes) so never share one checkpoint file,
    where concurrent first writes failed with "database is locked"."""
    url = settings.database_url or ""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).parent / "checkpoints.db"
    return settings.resolved_data_dir / "checkpoints.db"


async def open_checkpointer(settings: Settings, stack: contextlib.AsyncExitStack) -> Any:
    """Enter the right saver into ``stack`` (closed with the service) and make sure its tables exist."""
    url = settings.database_url or ""
    saver: Any
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        conn = url.replace("postgresql+psycopg://", "postgresql://")
        saver = AsyncPostgresSaver(await _open_pool(conn, stack))
        await _setup_postgres_serialised(saver, conn)
        return saver
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = checkpoint_path(settings)
        saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(str(path)))
        # WAL + NORMAL: a commit is durable against a process crash without an fsync per step.
        conn_sqlite: Any = saver.conn
        await conn_sqlite.execute("PRAGMA journal_mode=WAL")
        await conn_sqlite.execute("PRAGMA synchronous=NORMAL")
    await saver.setup()
    return saver


async def _open_pool(conn_string: str, stack: contextlib.AsyncExitStack) -> Any:
    """A small psycopg pool that checks a connection before lending it: after a PostgreSQL restart the dead
    connections are replaced (one long-lived connection, ``from_conn_string``'s, stays broken until the
    worker restarts)."""
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    pool: Any = AsyncConnectionPool(
        conn_string,
        min_size=1,
        max_size=4,
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            **connect_kwargs(conn_string),
        },
        check=AsyncConnectionPool.check_connection,
        timeout=10,  # a request waits at most this long for a connection while the database is down
        # Reconnection backs off exponentially without bound until it gives up: give up after a few seconds,
        # so the next request starts a fresh attempt and a restarted database is used within seconds.
        reconnect_timeout=5,
        open=False,
    )
    await pool.open()
    stack.push_async_callback(pool.close)
    return pool


# Any constant: workers starting together on an empty database take turns creating the checkpoint tables.
_CHECKPOINT_SETUP_LOCK = 7_224_466_002


async def _setup_postgres_serialised(saver: Any, conn_string: str) -> None:
    """Run the saver's migrations under a session advisory lock held on a separate autocommit connection.

    The lock is polled with pg_try_advisory_lock: a waiter blocked inside pg_advisory_lock would hold a snapshot
    that the migrations' CREATE INDEX CONCURRENTLY waits for, a deadlock PostgreSQL does not detect.
    """
    import asyncio

    import psycopg

    async with await psycopg.AsyncConnection.connect(
        conn_string, autocommit=True, **connect_kwargs(conn_string)
    ) as lock_conn:
        while True:
            cur = await lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (_CHECKPOINT_SETUP_LOCK,))
            row = await cur.fetchone()
            if row and row[0]:
                break
            await asyncio.sleep(0.1)
        try:
            await saver.setup()
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock(%s)", (_CHECKPOINT_SETUP_LOCK,))
