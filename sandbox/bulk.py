"""Bulk loading through the DB driver's executemany: tables first, indexes after the load."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Engine, Table
from sqlalchemy.schema import CreateIndex, DropIndex


@lru_cache(maxsize=4)
def _time_of_day() -> np.ndarray:
    """' HH:MM:SS' for every second of a day (a lookup table beats formatting millions of stamps)."""
    secs = np.arange(86400)
    return np.array(
        [
            f" {h:02d}:{m:02d}:{x:02d}"
            for h, m, x in zip(secs // 3600, secs // 60 % 60, secs % 60, strict=True)
        ],
        dtype=object,
    )


def _day_strings(base: date, days: int) -> np.ndarray:
    return np.array([(base + timedelta(days=d)).isoformat() for d in range(days)], dtype=object)


def seconds_to_text(base: datetime, seconds: np.ndarray) -> list[str | None]:
    """Naive UTC timestamps ``base + seconds`` as 'YYYY-MM-DD HH:MM:SS' (None where seconds < 0)."""
    secs = np.maximum(seconds, 0).astype(np.int64)
    days = _day_strings(base.date(), int(secs.max() // 86400) + 1 if len(secs) else 1)
    text = days[secs // 86400] + _time_of_day()[secs % 86400]
    text[seconds < 0] = None
    return text.tolist()


def days_to_text(base: date, days: np.ndarray) -> list[str | None]:
    """Dates ``base + days`` as ISO strings (None where days < 0)."""
    clipped = np.maximum(days, 0).astype(np.int64)
    text = _day_strings(base, int(clipped.max()) + 1 if len(clipped) else 1)[clipped]
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
        engine.dispose()  # idle pooled connections would keep SQLite from leaving WAL mode for the load
        self.conn = engine.raw_connection()
        self.cur = self.conn.cursor()
        if self.sqlite:
            # Crash safety is pointless while building a throwaway database: trade it for speed.
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-200000", "temp_store=MEMORY"):
                self.cur.execute(f"PRAGMA {pragma}")

    def _ddl(self, construct: Any) -> None:
        self.cur.execute(str(construct.compile(dialect=self.engine.dialect)))

    def clear(self, tables: Sequence[Table]) -> None:
        """Empty the (migrated) tables and drop their declared indexes: ``create_indexes`` rebuilds them."""
        for table in tables:
            for index in table.indexes:
                self._ddl(DropIndex(index, if_exists=True))
        for table in reversed(tables):
            # TRUNCATE on PostgreSQL; SQLite turns an unqualified DELETE into its fast truncate.
            self.cur.execute(
                f"TRUNCATE TABLE {table.name}" if not self.sqlite else f"DELETE FROM {table.name}"
            )
        self.conn.commit()

    def insert(
        self, table: Table, rows: Iterable[tuple[Any, ...]], columns: Sequence[str] | None = None
    ) -> int:
        """executemany of positional rows (columns default to the table's, in order)."""
        names = list(columns or [c.name for c in table.columns])
        mark = "?" if self.sqlite else "%s"
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
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
            self.cur.execute("PRAGMA analysis_limit=1000")
            self.cur.execute("ANALYZE")
        self.cur.close()
        self.conn.close()
