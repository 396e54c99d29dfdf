"""Command-line logins: a per-user session token under the data dir, checked against the sessions table.

``payinvest login`` stores ``<data_dir>/cli-sessions/<user>.token`` (mode 0600) and marks that user as the
current one; ``approve``/``submit`` act as the logged-in user only (the session must still be live: not
expired, not logged out, the user not disabled).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from core.sessions import Session, SessionStore, token_digest
from core.users import USERNAME_RE, User, UserStore

SESSIONS_DIR = "cli-sessions"
CURRENT = "current"


class NotLoggedIn(Exception):
    """No live command-line session for the requested user."""

    code = "not_logged_in"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _dir(data_dir: Path) -> Path:
    path = data_dir / SESSIONS_DIR
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)
    return path


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(path)


def save_login(data_dir: Path, sessions: SessionStore, user: User) -> Path:
    """Open a session for an authenticated user and store its token for later commands."""
    token, _csrf = sessions.create(user.username)
    folder = _dir(data_dir)
    path = folder / f"{user.username}.token"
    _write_private(path, token + "\n")
    _write_private(folder / CURRENT, user.username + "\n")
    return path


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def current_username(data_dir: Path) -> str | None:
    """The user of the last ``payinvest login`` (None when nobody is logged in)."""
    return _read(data_dir / SESSIONS_DIR / CURRENT)


def logged_in_session(data_dir: Path, sessions: SessionStore, username: str | None = None) -> Session:
    """The live session of ``username`` (default: the current login), else ``NotLoggedIn``."""
    name = username or current_username(data_dir)
    if not name:
        raise NotLoggedIn("not logged in: run `payinvest login USER` first")
    if not USERNAME_RE.match(name):
        raise NotLoggedIn(f"{name[:40]!r} is not a username")
    token = _read(data_dir / SESSIONS_DIR / f"{name}.token")
    session = sessions.lookup(token)
    if session is None or session.user.username != name:
        raise NotLoggedIn(f"no live login for {name}: run `payinvest login {name}` (sessions last 8 h)")
    return session


def logout(data_dir: Path, sessions: SessionStore, username: str | None = None) -> str | None:
    """End the stored session of ``username`` (default: current); returns who was logged out."""
    name = username or current_username(data_dir)
    if not name or not USERNAME_RE.match(name):
        return None
    folder = data_dir / SESSIONS_DIR
    token = _read(folder / f"{name}.token")
    if token:
        sessions.delete(token_digest(token))
    (folder / f"{name}.token").unlink(missing_ok=True)
    if current_username(data_dir) == name:
        (folder / CURRENT).unlink(missing_ok=True)
    return name


def session_store(engine: object) -> SessionStore:
    """The sessions of the application database ``engine``."""
    return SessionStore(engine, UserStore(engine))  # type: ignore[arg-type]
