"""Every eval case starts from the seeded sandbox: one case's executed action never reaches the next."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from evals.environment import SandboxSnapshot


def _rows(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, status FROM recalls ORDER BY id").fetchall()


def test_restore_undoes_what_a_case_wrote_while_a_connection_stays_open(tmp_path: Path) -> None:
    live = tmp_path / "payments.db"
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE recalls (id TEXT PRIMARY KEY, status TEXT)")
        db.execute("INSERT INTO recalls VALUES ('R1', 'answered')")
    snapshot = SandboxSnapshot(f"sqlite:///{live}", tmp_path)
    snapshot.take()
    held_open = sqlite3.connect(live)  # the agent service keeps its pool open across cases
    held_open.execute("INSERT INTO recalls VALUES ('R2', 'pending')")
    held_open.commit()
    assert _rows(live) == [("R1", "answered"), ("R2", "pending")]

    snapshot.restore()

    assert _rows(live) == [("R1", "answered")]
    assert held_open.execute("SELECT count(*) FROM recalls").fetchone() == (1,)
    held_open.close()


def test_a_server_database_is_left_alone(tmp_path: Path) -> None:
    snapshot = SandboxSnapshot("postgresql://localhost/payments", tmp_path)
    assert not snapshot.enabled
    snapshot.take()
    snapshot.restore()
    assert not list(tmp_path.iterdir())
