"""Login lockout per client and account: failures from one client lock that client out of that account
for a while, so an attacker elsewhere cannot lock a named user out, and the lock lifts by itself."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Engine, Integer, String, Table, delete, select, update
from sqlalchemy.exc import IntegrityError

from core.schema import metadata

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

login_throttle = Table(
    "login_throttle",  # application database, migration 0003
    metadata,
    Column("client", String(64), primary_key=True),
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", String(40), nullable=True),
)


class LoginThrottle:
    """Failure counts by (client, username) in the database, so every worker sees them."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_failures: int = MAX_FAILED_LOGINS,
        lockout: timedelta = LOCKOUT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine, self.max_failures, self.lockout, self.clock = engine, max_failures, lockout, clock

    @staticmethod
    def _key(client: str, username: str) -> tuple[str, str]:
        return (client or "unknown")[:64], (username or "")[:64]

    def is_locked(self, client: str, username: str) -> bool:
        c, u = self._key(client, username)
        with self.engine.connect() as conn:
            until = conn.execute(
                select(login_throttle.c.locked_until).where(
                    login_throttle.c.client == c, login_throttle.c.username == u
                )
            ).scalar()
        return until is not None and datetime.fromisoformat(str(until)) > self.clock()

    def failed(self, client: str, username: str) -> bool:
        """Count a failure; True when this one locks the pair (the count then starts again)."""
        c, u = self._key(client, username)
        where = (login_throttle.c.client == c, login_throttle.c.username == u)
        with self.engine.begin() as conn:
            row = conn.execute(select(login_throttle.c.failures).where(*where)).first()
            if row is None:
                # A savepoint: another worker inserting the same pair first must not abort this transaction.
                with contextlib.suppress(IntegrityError), conn.begin_nested():
                    conn.execute(login_throttle.insert().values(client=c, username=u, failures=0))
                failures = 1
            else:
                failures = row.failures + 1
            locked = failures >= self.max_failures
            until = (self.clock() + self.lockout).isoformat() if locked else None
            values = {"failures": 0, "locked_until": until} if locked else {"failures": failures}
            conn.execute(update(login_throttle).where(*where).values(**values))
        return locked

    def succeeded(self, client: str, username: str) -> None:
        c, u = self._key(client, username)
        with self.engine.begin() as conn:
            conn.execute(
                delete(login_throttle).where(login_throttle.c.client == c, login_throttle.c.username == u)
            )

    def unlock(self, username: str) -> int:
        """Admin unlock: clear every client's lock and count for this user."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    delete(login_throttle).where(login_throttle.c.username == username[:64])
                ).rowcount
                or 0
            )
