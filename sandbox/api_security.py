"""Who may call the payments API and which writes it executes: hosts, the approval gate, the audit trail.

The bearer token (``sandbox.routes_common.BearerTokenMiddleware``) proves the caller is the app; the gate
proves a human approved exactly this write: the ``X-Approval-Ref`` must be a reference signed by the
approval service for this action kind, these arguments and this idempotency key, fresh and never
presented before. Every refused attempt and every executed action is an audit event.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, DateTime, Engine, String, Table, insert
from sqlalchemy.exc import IntegrityError

from core.approval_tokens import ApprovalClaims, ApprovalRefError, ApprovalReplayed, ApprovalSigner
from sandbox.routes_common import ApiError
from sandbox.schema import metadata
from tools.registry import IN_PROCESS_BASE_URL

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
IN_PROCESS_HOST = urlsplit(IN_PROCESS_BASE_URL).hostname  # the clients' host name for the in-process sandbox

# One row per approval nonce ever presented: a second presentation is a replay (sandbox migration 0002).
approval_uses = Table(
    "approval_uses",
    metadata,
    Column("nonce", String(32), primary_key=True),
    Column("proposal_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("idempotency_key", String(100), nullable=False),
    Column("approver", String(64), nullable=False),
    Column("used_at", DateTime, nullable=False),
)


def served_hosts(settings: Any) -> list[str]:
    """The Host header values this deployment answers: anything else is refused (DNS rebinding)."""
    hosts = [settings.host, *LOOPBACK_HOSTS, IN_PROCESS_HOST, *settings.allowed_hosts]
    return list(dict.fromkeys(h for h in hosts if h and h != "0.0.0.0"))


def record_ref(claims: ApprovalClaims) -> str:
    """The short, stored form of a verified reference (the actions table keeps 100 characters)."""
    return f"{claims.proposal_id}/{claims.approver}/{claims.nonce}"[:100]


class ApprovalGate:
    """Verifies approval references, burns their nonces and writes the payments API's audit events."""

    def __init__(self, engine: Engine, signer: ApprovalSigner, audit: Any | None) -> None:
        self.engine = engine
        self.signer = signer
        self.audit = audit

    def _event(self, event_type: str, actor: str, payload: dict[str, Any]) -> None:
        if self.audit is None:
            return
        try:
            self.audit.append(event_type, actor=actor or "unknown", payload=payload)
        except Exception:  # the refusal or result stands; the failure to record it is logged loudly
            log.exception("could not write audit event %s", event_type)

    def refuse(self, kind: str, code: str, message: str, *, actor: str = "unknown", **extra: Any) -> None:
        """Record a refused write attempt."""
        self._event(
            "payments_api.action_refused",
            actor,
            {"kind": kind, "code": code, "message": message, **extra},
        )

    def admit(self, kind: str, args: dict[str, Any], idempotency_key: str, reference: str) -> ApprovalClaims:
        """The verified claims of ``reference`` for this request, or a typed 401/403 (audited)."""
        context = {"idempotency_key": idempotency_key, "reference": args.get("reference")}
        try:
            claims = self.signer.verify(reference, kind=kind, args=args, idempotency_key=idempotency_key)
            self._burn(claims)
        except ApprovalRefError as exc:
            actor = "unknown"
            with contextlib.suppress(ApprovalRefError):  # a genuine but misused reference names its approver
                actor = self.signer.claims_of(reference).approver
            self.refuse(kind, exc.code, exc.message, actor=actor, **context)
            raise ApiError(exc.status, exc.code, exc.message) from None
        return claims

    def _burn(self, claims: ApprovalClaims) -> None:
        row = {
            "nonce": claims.nonce,
            "proposal_id": claims.proposal_id[:64],
            "kind": claims.kind,
            "idempotency_key": claims.idempotency_key,
            "approver": claims.approver[:64],
            "used_at": datetime.now(UTC).replace(tzinfo=None),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(approval_uses).values(**row))
        except IntegrityError:
            raise ApprovalReplayed("this approval reference was already used") from None

    def executed(self, claims: ApprovalClaims, result: dict[str, Any]) -> None:
        """Record an executed (or idempotently replayed) action."""
        self._event(
            "payments_api.action_executed",
            claims.approver,
            {
                "kind": claims.kind,
                "action_id": result.get("action_id"),
                "payment_id": result.get("payment_id"),
                "case_id": result.get("case_id"),
                "proposal_id": claims.proposal_id,
                "approver": claims.approver,
                "requester": claims.requester,
                "idempotency_key": claims.idempotency_key,
                "replayed": bool(result.get("replayed")),
            },
        )

    def failed(self, claims: ApprovalClaims, error: ApiError) -> None:
        """Record an approved write the API refused on its business rules (nothing changed)."""
        self.refuse(
            claims.kind,
            error.code,
            error.message,
            actor=claims.approver,
            proposal_id=claims.proposal_id,
            idempotency_key=claims.idempotency_key,
        )
