"""Users, roles, approval limits and password checks with lockout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pwdlib import PasswordHash
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    String,
    Table,
    insert,
    select,
    update,
)

from core.errors import PayinvestError
from core.schema import metadata

DEMO_PASSWORD = "payinvest-demo"  # demo-only: documented in docs/web.md, never for a real deployment
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


users_table = Table(
    "users",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("approval_limit_eur", Float, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", String(255), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", String(40), nullable=True),
    Column("created_at", String(40), nullable=False),
)


class Role(StrEnum):
    """What a user may do in payinvest."""

    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """A user as the rest of the app sees it (no password material)."""

    username: str
    role: str
    approval_limit_eur: float | None = None
    active: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role,
            "approval_limit_eur": self.approval_limit_eur,
            "active": self.active,
        }


DEMO_USERS: tuple[User, ...] = (
    User("analyst1", Role.ANALYST),
    User("analyst2", Role.ANALYST),
    User("supervisor1", Role.SUPERVISOR, 100_000.0),
    User("supervisor2", Role.SUPERVISOR, 5_000_000.0),
    User("compliance1", Role.COMPLIANCE),
    User("admin1", Role.ADMIN, 1_000_000.0),
    User("admin2", Role.ADMIN, 1_000_000.0),  # a second admin confirms user changes (four-eyes)
)


class UserError(PayinvestError):
    """A user operation was refused; ``code`` is stable for APIs and the CLI."""

    code = "user_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserNotFound(UserError):
    code, http_status = "user_not_found", 404


class UserExists(UserError):
    code, http_status = "user_exists", 409


class InvalidUser(UserError):
    code, http_status = "invalid_user", 422


class InvalidCredentials(UserError):
    code, http_status = "invalid_credentials", 401
    reason = "invalid_credentials"


class AccountLocked(InvalidCredentials):
    """Answered exactly like a wrong password (no lockout oracle); only the audit event says ``locked``."""

    reason = "locked"


def validate_role_and_limit(role: str, approval_limit_eur: float | None) -> None:
    """Raise ``InvalidUser`` for an unknown role or an absurd approval limit."""
    if role not in {r.value for r in Role}:
        raise InvalidUser(f"role must be one of {', '.join(r.value for r in Role)}")
    if approval_limit_eur is not None and not 0 <= approval_limit_eur <= 1e12:
        raise InvalidUser("approval_limit_eur must be between 0 and 1e12")


def _now() -> datetime:
    return datetime.now(UTC)


class UserStore:
    """Users in the application database; passwords hashed with argon2 (pwdlib)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.hasher = PasswordHash.recommended()
        self._dummy_hash: str | None = None

    def _row_to_user(self, row: object) -> User:
        return User(row.username, row.role, row.approval_limit_eur, bool(row.active))  # type: ignore[attr-defined]

    def get(self, username: str) -> User:
        """The user with this name; raises UserNotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.username == username)).first()
        if row is None:
            raise UserNotFound(f"unknown user {username!r}")
        return self._row_to_user(row)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users_table).order_by(users_table.c.username)).all()
        return [self._row_to_user(r) for r in rows]

    def validate_new(
        self, *, username: str, role: str, password: str | None, approval_limit_eur: float | None = None
    ) -> None:
        """Raise the typed error that forbids creating this user (``password=None``: already hashed)."""
        if not USERNAME_RE.match(username or ""):
            raise InvalidUser("username must be 3-32 characters: lowercase letters, digits, . _ -")
        validate_role_and_limit(role, approval_limit_eur)
        if password is not None and (not isinstance(password, str) or not 12 <= len(password) <= 256):
            raise InvalidUser("password must be 12-256 characters")
        with self.engine.connect() as conn:
            if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
                raise UserExists(f"user {username!r} already exists")

    def create(
        self,
        *,
        username: str,
        role: str,
        password: str | None = None,
        approval_limit_eur: float | None = None,
        password_hash: str | None = None,
    ) -> User:
        """Add a user after validating name, role, password length and limit (or a ready argon2 hash)."""
        self.validate_new(
            username=username,
            role=role,
            password=None if password_hash else password,
            approval_limit_eur=approval_limit_eur,
        )
        if password_hash is None:
            password_hash = self.hasher.hash(password or "")
        with self.engine.begin() as conn:
            if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
                raise UserExists(f"user {username!r} already exists")
            conn.execute(
                insert(users_table).values(
                    username=username,
                    role=role,
                    approval_limit_eur=approval_limit_eur,
                    active=True,
                    password_hash=password_hash,
                    failed_logins=0,
                    created_at=_now().isoformat(),
                )
            )
        return self.get(username)

    def set_role_and_limit(self, username: str, role: str, approval_limit_eur: float | None) -> User:
        """Change a user's role and approval limit (callers go through ``core.user_changes``: four-eyes)."""
        self.get(username)
        validate_role_and_limit(role, approval_limit_eur)
        with self.engine.begin() as conn:
            conn.execute(
                update(users_table)
                .where(users_table.c.username == username)
                .values(role=role, approval_limit_eur=approval_limit_eur)
            )
        return self.get(username)

    def set_active(self, username: str, active: bool) -> User:
        """Enable or disable a user (a disabled user cannot log in and loses open sessions)."""
        self.get(username)
        with self.engine.begin() as conn:
            conn.execute(update(users_table).where(users_table.c.username == username).values(active=active))
        if not active:  # ended, not suspended: re-enabling must not revive an old (possibly stolen) session
            from core.sessions import SessionStore

            SessionStore(self.engine, self).revoke_user(username)
        return self.get(username)

    def ensure_demo_users(self) -> list[User]:
        """Create the demo users that are missing (password ``payinvest-demo``, demo only)."""
        existing = {u.username for u in self.list_users()}
        for user in DEMO_USERS:
            if user.username not in existing:
                self.create(
                    username=user.username,
                    role=user.role,
                    password=DEMO_PASSWORD,
                    approval_limit_eur=user.approval_limit_eur,
                )
        return [self.get(u.username) for u in DEMO_USERS]

    def authenticate(self, username: str, password: str, *, client: str = "local") -> User:
        """Check a password. Locked, unknown, disabled and wrong all answer the same, after the same
        argon2 work; five failures from one client lock that client out of that account for 15 minutes."""
        from core.login_throttle import LoginThrottle

        throttle = LoginThrottle(self.engine)
        with self.engine.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.username == username)).first()
        locked = throttle.is_locked(client, username)
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("no-such-user-dummy-password")
        # Always one verification, so the answer time does not tell which names exist or are locked.
        ok = self.hasher.verify(password or "", row.password_hash if row is not None else self._dummy_hash)
        if locked:
            raise AccountLocked("wrong username or password")
        if row is None or not ok or not row.active:
            if throttle.failed(client, username):
                raise AccountLocked("wrong username or password")
            raise InvalidCredentials("wrong username or password")
        throttle.succeeded(client, username)
        return self._row_to_user(row)
