"""The LangGraph checkpointer: AsyncSqliteSaver in the data directory, or Postgres for a postgres URL."""

from __future__ import annotations

import contextlib
from typing import Any

from app.settings import Settings


async def open_checkpointer(settings: Settings, stack: contextlib.AsyncExitStack) -> Any:
    """Enter the right saver into ``stack`` (closed with the service) and make sure its tables exist."""
    url = settings.database_url or ""
    saver: Any
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        conn = url.replace("postgresql+psycopg://", "postgresql://")
        saver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(conn))
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
