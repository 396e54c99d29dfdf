"""Server-side sessions (browser cookies and command-line logins): only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Engine, String, Table, delete, insert, select

from core.schema import metadata
from core.users import User, UserNotFound, UserStore

SESSION_TTL = timedelta(hours=8)

sessions_table = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(32), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)


def token_digest(token: str) -> str:
    """What the table keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """An authenticated session: who, and the CSRF token its browser writes must echo."""

    user: User
    csrf_token: str
    token_hash: str


class SessionStore:
    """Sessions live in the database, so any worker (and the command line) can check them."""

    def __init__(self, engine: Engine, users: UserStore, ttl: timedelta = SESSION_TTL) -> None:
        self.engine = engine
        self.users = users
        self.ttl = ttl

    def create(self, username: str) -> tuple[str, str]:
        """Open a session; returns the raw token (cookie value or CLI token) and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                insert(sessions_table).values(
                    token_hash=token_digest(token),
                    username=username,
                    csrf_token=csrf,
                    created_at=now.isoformat(),
                    expires_at=(now + self.ttl).isoformat(),
                )
            )
        return token, csrf

    def lookup(self, token: str | None) -> Session | None:
        """The live session for a token, or None (expired, unknown, revoked, or user disabled)."""
        if not token or len(token) > 128:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions_table).where(sessions_table.c.token_hash == token_digest(token))
            ).first()
        if row is None or datetime.fromisoformat(row.expires_at) < datetime.now(UTC):
            return None
        try:
            user = self.users.get(row.username)
        except UserNotFound:
            return None
        if not user.active:
            return None
        return Session(user, row.csrf_token, row.token_hash)

    def delete(self, token_hash: str) -> None:
        """End one session (logout)."""
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.token_hash == token_hash))

    def revoke_user(self, username: str) -> int:
        """End every session of a user (disabled, password changed); returns how many ended."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(sessions_table).where(sessions_table.c.username == username))
        return int(result.rowcount or 0)
