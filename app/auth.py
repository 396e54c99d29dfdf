"""Server-side sessions in an HttpOnly SameSite=Strict cookie, CSRF double-submit, role checks."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Column, Engine, String, Table, delete, insert, select

from app.errors import ApiError
from core.schema import metadata
from core.users import User, UserNotFound, UserStore

SESSION_COOKIE = "payinvest_session"
CSRF_COOKIE = "payinvest_csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_TTL = timedelta(hours=8)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


sessions_table = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(32), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """An authenticated browser session: who, and the CSRF token its writes must echo."""

    user: User
    csrf_token: str
    token_hash: str


class SessionStore:
    """Sessions live in the database (only the token's SHA-256), so any worker can check them."""

    def __init__(self, engine: Engine, users: UserStore) -> None:
        self.engine = engine
        self.users = users

    def create(self, username: str) -> tuple[str, str]:
        """Open a session; returns the raw token (cookie value) and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                insert(sessions_table).values(
                    token_hash=_digest(token),
                    username=username,
                    csrf_token=csrf,
                    created_at=now.isoformat(),
                    expires_at=(now + SESSION_TTL).isoformat(),
                )
            )
        return token, csrf

    def lookup(self, token: str | None) -> Session | None:
        """The live session for a cookie value, or None (expired, unknown, or user disabled)."""
        if not token or len(token) > 128:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions_table).where(sessions_table.c.token_hash == _digest(token))
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


def current_session(request: Request) -> Session:
    """The request's session; 401 without one, 403 when a write lacks the matching CSRF header."""
    store: SessionStore = request.app.state.sessions
    session = store.lookup(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise ApiError(401, "unauthenticated", "log in first")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise ApiError(403, "csrf_failed", "missing or wrong CSRF token header")
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only these roles through (403 otherwise)."""

    def _check(session: SessionDep) -> User:
        if session.user.role not in roles:
            raise ApiError(403, "forbidden", f"role {session.user.role} may not do this")
        return session.user

    return _check


AnyUser = Annotated[User, Depends(require_roles("analyst", "supervisor", "compliance", "admin"))]
Analyst = Annotated[User, Depends(require_roles("analyst"))]
Supervisor = Annotated[User, Depends(require_roles("supervisor"))]
Compliance = Annotated[User, Depends(require_roles("compliance"))]
Admin = Annotated[User, Depends(require_roles("admin"))]
