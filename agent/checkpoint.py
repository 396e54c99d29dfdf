"""The LangGraph checkpointer: AsyncSqliteSaver in the data directory, or Postgres for a postgres URL."""

from __future__ import annotations

import contextlib
from typing import Any

from core.settings import Settings


async def open_checkpointer(settings: Settings, stack: contextlib.AsyncExitStack) -> Any:
    """Enter the right saver into ``stack`` (closed with the service) and make sure its tables exist."""
    url = settings.database_url or ""
    saver: Any
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        conn = url.replace("postgresql+psycopg://", "postgresql://")
        saver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(conn))
        await _setup_postgres_serialised(saver, conn)
        return saver
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = settings.resolved_data_dir / "checkpoints.db"
        saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(str(path)))
        # WAL + NORMAL: a commit is durable against a process crash without an fsync per step.
        conn_sqlite: Any = saver.conn
        await conn_sqlite.execute("PRAGMA journal_mode=WAL")
        await conn_sqlite.execute("PRAGMA synchronous=NORMAL")
    await saver.setup()
    return saver


# Any constant: workers starting together on an empty database take turns creating the checkpoint tables.
_CHECKPOINT_SETUP_LOCK = 7_224_466_002


async def _setup_postgres_serialised(saver: Any, conn_string: str) -> None:
    """Run the saver's migrations under a session advisory lock held on a separate autocommit connection.

    The lock is polled with pg_try_advisory_lock: a waiter blocked inside pg_advisory_lock would hold a snapshot
    that the migrations' CREATE INDEX CONCURRENTLY waits for, a deadlock PostgreSQL does not detect.
    """
    import asyncio

    import psycopg

    async with await psycopg.AsyncConnection.connect(conn_string, autocommit=True) as lock_conn:
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
