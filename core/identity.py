"""Who is acting: the one principal type the agent's approval rules, the web app and the CLI pass around."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from core.users import User

RoleName = Literal["analyst", "supervisor", "compliance", "admin"]


class Principal(BaseModel):
    """An authenticated actor: username, role and approval limit (the fields of ``core.users.User``)."""

    username: str
    role: RoleName
    approval_limit_eur: float = 0.0

    @classmethod
    def from_user(cls, user: User | Principal) -> Principal:
        """The principal of a stored user (no password material travels with it)."""
        return cls.model_validate(
            {
                "username": user.username,
                "role": user.role,
                "approval_limit_eur": float(user.approval_limit_eur or 0),
            }
        )
