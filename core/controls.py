"""Kill switches (actions, LLM) stored in the database so every worker sees a change at once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Engine, String, Table, Text, insert, select, update

from core.schema import metadata

controls_table = Table(
    "controls",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class Controls:
    """The switches every request checks; both on by default."""

    actions_enabled: bool = True
    llm_enabled: bool = True
    updated_by: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_KEYS = ("actions_enabled", "llm_enabled")


def read_controls(engine: Engine) -> Controls:
    """The current switches (read from the database on every call: no per-process cache)."""
    with engine.connect() as conn:
        rows = conn.execute(select(controls_table)).all()
    values: dict[str, Any] = {}
    latest = None
    for row in rows:
        if row.key in _KEYS:
            values[row.key] = bool(json.loads(row.value))
            if latest is None or row.updated_at > latest.updated_at:
                latest = row
    return Controls(
        **values,
        updated_by=latest.updated_by if latest else None,
        updated_at=latest.updated_at if latest else None,
    )


def set_controls(
    engine: Engine,
    *,
    actor: str,
    actions_enabled: bool | None = None,
    llm_enabled: bool | None = None,
    audit: Any | None = None,
) -> Controls:
    """Change switches, audit the change (``config_change``) and return the new state."""
    before = read_controls(engine)
    changes = {
        k: v for k, v in (("actions_enabled", actions_enabled), ("llm_enabled", llm_enabled)) if v is not None
    }
    now = datetime.now(UTC).isoformat()
    with engine.begin() as conn:
        for key, value in changes.items():
            params = {"value": json.dumps(bool(value)), "updated_by": actor, "updated_at": now}
            done = conn.execute(update(controls_table).where(controls_table.c.key == key).values(**params))
            if done.rowcount == 0:
                conn.execute(insert(controls_table).values(key=key, **params))
    after = read_controls(engine)
    if audit is not None and changes:
        audit.append(
            "config_change",
            actor=actor,
            payload={
                "controls": changes,
                "before": {k: getattr(before, k) for k in _KEYS},
                "after": {k: getattr(after, k) for k in _KEYS},
            },
        )
    return after
