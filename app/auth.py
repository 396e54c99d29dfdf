"""Browser sessions (``core.sessions``) in an HttpOnly SameSite=Strict cookie, CSRF double-submit, role checks."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from app.errors import ApiError
from core.sessions import SESSION_TTL, Session, SessionStore, sessions_table
from core.users import User

SESSION_COOKIE = "payinvest_session"
CSRF_COOKIE = "payinvest_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = ["SESSION_TTL", "Session", "SessionStore", "sessions_table"]


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
    request.state.user = session.user.username  # for the access log line (app.observability)
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only these roles through (403 otherwise)."""

    def _check(session: SessionDep, request: Request) -> User:
        if session.user.role not in roles:
            # A refused attempt is evidence (e.g. an analyst trying to decide an approval).
            audit = getattr(request.app.state, "audit", None)
            if audit is not None:
                audit.append(
                    "access_refused",
                    actor=session.user.username,
                    payload={
                        "role": session.user.role,
                        "method": request.method,
                        "path": request.url.path[:200],
                    },
                )
            raise ApiError(403, "forbidden", f"role {session.user.role} may not do this")
        return session.user

    return _check


AnyUser = Annotated[User, Depends(require_roles("analyst", "supervisor", "compliance", "admin"))]
Analyst = Annotated[User, Depends(require_roles("analyst"))]
Supervisor = Annotated[User, Depends(require_roles("supervisor"))]
Compliance = Annotated[User, Depends(require_roles("compliance"))]
Admin = Annotated[User, Depends(require_roles("admin"))]
