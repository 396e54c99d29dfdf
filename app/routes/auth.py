"""Login, logout and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.auth import CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL, SessionDep
from app.errors import ApiError
from app.rate_limits import check_login_rate
from app.routes.deps import audit_of, users_of
from app.schemas import Ok, SessionOut
from core.users import AccountLocked, InvalidCredentials

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def _set_cookies(request: Request, response: Response, token: str, csrf: str) -> None:
    secure = request.url.scheme == "https"
    age = int(SESSION_TTL.total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=age, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict", secure=secure)


@router.post("/login", response_model=SessionOut)
def login(body: LoginBody, request: Request, response: Response) -> dict:
    """Check the password, open a session, audit the attempt either way."""
    check_login_rate(request)  # before the password check: a flood costs no argon2 work
    audit = audit_of(request)
    ip = request.client.host if request.client else None
    try:
        user = users_of(request).authenticate(body.username, body.password, client=ip or "unknown")
    except (InvalidCredentials, AccountLocked) as exc:
        audit.append("login_failed", actor=body.username, payload={"reason": exc.reason, "ip": ip})
        raise ApiError(exc.http_status, exc.code, exc.message) from exc
    token, csrf = request.app.state.sessions.create(user.username)
    audit.append("login", actor=user.username, payload={"role": user.role, "ip": ip})
    _set_cookies(request, response, token, csrf)
    return {"user": user.to_dict(), "csrf_token": csrf}


@router.post("/logout", response_model=Ok)
def logout(session: SessionDep, request: Request, response: Response) -> dict:
    """End the session and clear the cookies."""
    request.app.state.sessions.delete(session.token_hash)
    audit_of(request).append("logout", actor=session.user.username, payload={})
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return {"ok": True}


@router.get("/me", response_model=SessionOut)
def me(session: SessionDep) -> dict:
    """Who is logged in, and the CSRF token to echo in the X-CSRF-Token header."""
    return {"user": session.user.to_dict(), "csrf_token": session.csrf_token}
