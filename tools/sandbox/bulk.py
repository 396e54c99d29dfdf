"""Bulk loading through the DB driver's executemany: tables first, indexes after the load."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, Table
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable


def seconds_to_text(base: datetime, seconds: np.ndarray) -> list[str | None]:
    """Naive UTC timestamps ``base + seconds`` as 'YYYY-MM-DD HH:MM:SS' (None where seconds < 0)."""
    stamps = np.datetime64(base, "s") + np.maximum(seconds, 0).astype("timedelta64[s]")
    text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)
    text[seconds < 0] = None
    return text.tolist()


def days_to_text(base: date, days: np.ndarray) -> list[str | None]:
    """Dates ``base + days`` as ISO strings (None where days < 0)."""
    stamps = np.datetime64(base, "D") + np.maximum(days, 0).astype("timedelta64[D]")
    text = np.datetime_as_string(stamps, unit="D").astype(object)
    text[days < 0] = None
    return text.tolist()


def nullable(values: np.ndarray) -> list[Any]:
    """Floats with NaN mapped to None."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def day_text(base: date, day: int) -> str:
    """One date as ISO text."""
    return (base + timedelta(days=day)).isoformat()


class BulkWriter:
    """Owns one raw DBAPI connection for the duration of a seed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.conn = engine.raw_connection()
        self.cur = self.conn.cursor()
        if self.sqlite:
            # Crash safety is pointless while building a throwaway database: trade it for speed.
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-200000", "temp_store=MEMORY"):
                self.cur.execute(f"PRAGMA {pragma}")

    def _ddl(self, construct: Any) -> None:
        self.cur.execute(str(construct.compile(dialect=self.engine.dialect)))

    def recreate(self, tables: Sequence[Table]) -> None:
        """Drop the tables if present and create them without their indexes."""
        for table in reversed(tables):
            self._ddl(DropTable(table, if_exists=True))
        for table in tables:
            self._ddl(CreateTable(table))
        self.conn.commit()

    def insert(self, table: Table, rows: Iterable[tuple[Any, ...]], columns: Sequence[str] | None = None) -> int:
        """executemany of positional rows (columns default to the table's, in order)."""
        names = list(columns or [c.name for c in table.columns])
        mark = "?" if self.sqlite else "%s"
        sql = f'INSERT INTO {table.name} ({", ".join(names)}) VALUES ({", ".join([mark] * len(names))})'
        batch = rows if isinstance(rows, list) else list(rows)
        if batch:
            self.cur.executemany(sql, batch)
        return len(batch)

    def create_indexes(self, tables: Sequence[Table]) -> None:
        """Build every declared index after the load."""
        for table in tables:
            for index in table.indexes:
                self._ddl(CreateIndex(index, if_not_exists=True))
        self.conn.commit()

    def close(self) -> None:
        """Commit, restore durable settings and release the connection."""
        self.conn.commit()
        if self.sqlite:
            self.cur.execute("PRAGMA journal_mode=WAL")
            self.cur.execute("PRAGMA synchronous=NORMAL")
            self.cur.execute("ANALYZE")
        self.cur.close()
        self.conn.close()
