"""Four-eyes on identity: changes that grant power (new user, re-enable, role, approval limit) wait for a
second admin's confirmation, so nobody can create or promote a puppet account and approve through it.

Disabling a user reduces power and takes effect at once (``UserStore.set_active``). Every request,
confirmation and rejection is an audit event (``user_change_requested|confirmed|rejected``).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Column, Engine, String, Table, Text, insert, select, update

from core.schema import metadata
from core.users import Role, User, UserError, UserStore, validate_role_and_limit

ChangeKind = Literal["create_user", "enable_user", "set_role"]

user_changes = Table(
    "user_changes",
    metadata,  # the application database's (core.schema), next to the users table; migration 0002
    Column("id", String(16), primary_key=True),  # UC-<10 hex>
    Column("kind", String(16), nullable=False),
    Column("target", String(32), nullable=False),
    Column("payload", Text, nullable=False),  # JSON; a new user's password only as its argon2 hash
    Column("status", String(12), nullable=False),  # pending | applied | rejected
    Column("requested_by", String(32), nullable=False),
    Column("requested_at", String(40), nullable=False),
    Column("decided_by", String(32), nullable=True),
    Column("decided_at", String(40), nullable=True),
    Column("reason", String(500), nullable=True),
)


class ChangeNotFound(UserError):
    code, http_status = "change_not_found", 404


class ChangeNotPending(UserError):
    code, http_status = "change_not_pending", 409


class SelfConfirmation(UserError):
    code, http_status = "four_eyes_violation", 403


class NotAnAdmin(UserError):
    code, http_status = "forbidden", 403


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _view(row: Any) -> dict[str, Any]:
    payload = json.loads(row.payload)
    payload.pop("password_hash", None)
    return {
        "id": row.id,
        "kind": row.kind,
        "target": row.target,
        "changes": payload,
        "status": row.status,
        "requested_by": row.requested_by,
        "requested_at": row.requested_at,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "reason": row.reason,
    }


class UserChangeStore:
    """Pending identity changes: requested by one admin, applied only when another admin confirms."""

    def __init__(self, engine: Engine, users: UserStore, audit: Any | None = None) -> None:
        self.engine = engine
        self.users = users
        self.audit = audit

    def _admin(self, username: str) -> User:
        user = self.users.get(username)
        if user.role != Role.ADMIN or not user.active:
            raise NotAnAdmin(f"{username} is not an active admin")
        return user

    def _event(self, event_type: str, actor: str, change: dict[str, Any]) -> None:
        if self.audit is not None:
            self.audit.append(event_type, actor=actor, payload=change)

    def _request(self, admin: str, kind: ChangeKind, target: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._admin(admin)
        change_id = "UC-" + secrets.token_hex(5).upper()
        with self.engine.begin() as conn:
            conn.execute(
                insert(user_changes).values(
                    id=change_id,
                    kind=kind,
                    target=target,
                    payload=json.dumps(payload, sort_keys=True),
                    status="pending",
                    requested_by=admin,
                    requested_at=_now(),
                )
            )
        change = self.get(change_id)
        self._event("user_change_requested", admin, change)
        return change

    def request_create(
        self, admin: str, *, username: str, role: str, password: str, approval_limit_eur: float | None = None
    ) -> dict[str, Any]:
        """Validate a new user now (typed errors), create it when a second admin confirms."""
        self.users.validate_new(
            username=username, role=role, password=password, approval_limit_eur=approval_limit_eur
        )
        payload = {
            "role": role,
            "approval_limit_eur": approval_limit_eur,
            "password_hash": self.users.hasher.hash(password),
        }
        return self._request(admin, "create_user", username, payload)

    def request_enable(self, admin: str, username: str) -> dict[str, Any]:
        """Re-enabling a user gives their powers back: it waits for a second admin."""
        self.users.get(username)
        return self._request(admin, "enable_user", username, {"active": True})

    def request_role(
        self, admin: str, username: str, *, role: str, approval_limit_eur: float | None
    ) -> dict[str, Any]:
        """A new role and approval limit for an existing user, applied on confirmation."""
        self.users.get(username)
        validate_role_and_limit(role, approval_limit_eur)
        return self._request(
            admin, "set_role", username, {"role": role, "approval_limit_eur": approval_limit_eur}
        )

    def get(self, change_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(user_changes).where(user_changes.c.id == change_id)).first()
        if row is None:
            raise ChangeNotFound(f"no user change {change_id[:40]!r}")
        return _view(row)

    def pending(self) -> list[dict[str, Any]]:
        """Changes waiting for a second admin, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(user_changes)
                .where(user_changes.c.status == "pending")
                .order_by(user_changes.c.requested_at)
            ).all()
        return [_view(r) for r in rows]

    def _decide(self, change_id: str, admin: str, status: str, reason: str | None) -> Any:
        self._admin(admin)
        with self.engine.connect() as conn:
            row = conn.execute(select(user_changes).where(user_changes.c.id == change_id)).first()
        if row is None:
            raise ChangeNotFound(f"no user change {change_id[:40]!r}")
        if row.status != "pending":
            raise ChangeNotPending(f"{change_id} is {row.status}")
        if row.requested_by == admin or (row.target == admin and status == "applied"):
            raise SelfConfirmation(f"{admin} cannot confirm a change they requested or that concerns them")
        with self.engine.begin() as conn:  # compare-and-set: two confirmers, one wins
            done = conn.execute(
                update(user_changes)
                .where(user_changes.c.id == change_id, user_changes.c.status == "pending")
                .values(status=status, decided_by=admin, decided_at=_now(), reason=reason)
            )
        if not done.rowcount:
            raise ChangeNotPending(f"{change_id} was decided meanwhile")
        return row

    def confirm(self, change_id: str, admin: str) -> dict[str, Any]:
        """Apply a pending change requested by another admin."""
        row = self._decide(change_id, admin, "applied", None)
        payload = json.loads(row.payload)
        if row.kind == "create_user":
            self.users.create(
                username=row.target,
                role=payload["role"],
                approval_limit_eur=payload["approval_limit_eur"],
                password_hash=payload["password_hash"],
            )
        elif row.kind == "enable_user":
            self.users.set_active(row.target, True)
        else:
            self.users.set_role_and_limit(row.target, payload["role"], payload["approval_limit_eur"])
        change = self.get(change_id)
        self._event("user_change_confirmed", admin, change)
        return change

    def reject(self, change_id: str, admin: str, reason: str) -> dict[str, Any]:
        """Drop a pending change (any other admin; the requester may withdraw it too)."""
        self._admin(admin)
        row = self.get(change_id)
        if row["status"] != "pending":
            raise ChangeNotPending(f"{change_id} is {row['status']}")
        with self.engine.begin() as conn:
            conn.execute(
                update(user_changes)
                .where(user_changes.c.id == change_id, user_changes.c.status == "pending")
                .values(status="rejected", decided_by=admin, decided_at=_now(), reason=reason[:500])
            )
        change = self.get(change_id)
        self._event("user_change_rejected", admin, change)
        return change
