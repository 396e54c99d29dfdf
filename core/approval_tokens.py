"""Signed approval references: what the approval service hands the payments API for one approved write.

A reference is ``apr1.<payload>.<signature>`` (both base64url): HMAC-SHA256 over the canonical JSON of
the proposal id, action kind, arguments hash, approver, requester, idempotency key, issue time and a
random nonce. The payments API recomputes the arguments hash from the request it received, so a forged,
tampered (arguments changed), expired, self-approved or re-used reference is refused with a typed error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

PREFIX = "apr1"
MAX_REF_LENGTH = 2048
DEFAULT_TTL_SECONDS = 900
CLOCK_SKEW_SECONDS = 60
KEY_FILE = "approval.key"
_REF_RE = re.compile(r"^apr1\.[A-Za-z0-9_-]{20,1800}\.[A-Za-z0-9_-]{43}$")
_FIELDS = (
    "proposal_id",
    "kind",
    "args_hash",
    "approver",
    "requester",
    "idempotency_key",
    "issued_at",
    "nonce",
)


class ApprovalRefError(Exception):
    """A refused approval reference; ``status`` and ``code`` are what the API answers."""

    status = 403
    code = "approval_refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApprovalInvalid(ApprovalRefError):
    """Not a reference this approval service signed (malformed, forged, wrong key)."""

    status = 401
    code = "approval_invalid"


class ApprovalMismatch(ApprovalRefError):
    """A genuine reference presented for another action, other arguments or another idempotency key."""

    code = "approval_mismatch"


class ApprovalExpired(ApprovalRefError):
    """A genuine reference older than the time-to-live (or dated in the future)."""

    code = "approval_expired"


class ApprovalReplayed(ApprovalRefError):
    """A genuine reference whose nonce was already presented once."""

    code = "approval_replayed"


@dataclass(frozen=True)
class ApprovalClaims:
    """What a verified reference says: who approved which proposal's arguments, when."""

    proposal_id: str
    kind: str
    args_hash: str
    approver: str
    requester: str
    idempotency_key: str
    issued_at: int
    nonce: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def args_digest(args: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the (validated, ``exclude_none``) action arguments."""
    canonical = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ApprovalSigner:
    """Issues and verifies approval references with one secret key (shared by the app and the API)."""

    def __init__(
        self,
        key: str | bytes,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key.encode() if isinstance(key, str) else key
        if len(self._key) < 16:
            raise ValueError("the approval signing key must be at least 16 bytes")
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, PREFIX.encode() + b"." + payload, hashlib.sha256).digest()

    def issue(
        self,
        *,
        proposal_id: str,
        kind: str,
        args: dict[str, Any],
        approver: str,
        requester: str,
        idempotency_key: str,
    ) -> str:
        """A fresh reference (new nonce) for one approved proposal's exact arguments."""
        claims = ApprovalClaims(
            proposal_id=proposal_id,
            kind=kind,
            args_hash=args_digest(args),
            approver=approver,
            requester=requester,
            idempotency_key=idempotency_key,
            issued_at=int(self._clock()),
            nonce=secrets.token_hex(16),
        )
        payload = json.dumps(claims.to_dict(), sort_keys=True, separators=(",", ":")).encode()
        return f"{PREFIX}.{_b64(payload)}.{_b64(self._sign(payload))}"

    def claims_of(self, reference: str) -> ApprovalClaims:
        """The claims of a reference this key signed (signature checked), else ``ApprovalInvalid``."""
        if len(reference) > MAX_REF_LENGTH or not _REF_RE.match(reference):
            raise ApprovalInvalid("X-Approval-Ref is not a signed approval reference")
        _, payload_b64, sig_b64 = reference.split(".")
        try:
            payload, signature = _unb64(payload_b64), _unb64(sig_b64)
        except (binascii.Error, ValueError):
            raise ApprovalInvalid("X-Approval-Ref is not valid base64url") from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise ApprovalInvalid("the approval reference's signature does not verify")
        try:
            raw = json.loads(payload)
            claims = ApprovalClaims(**{name: raw[name] for name in _FIELDS})
        except (ValueError, KeyError, TypeError):
            raise ApprovalInvalid("the approval reference's claims are malformed") from None
        return claims

    def verify(
        self, reference: str, *, kind: str, args: dict[str, Any], idempotency_key: str
    ) -> ApprovalClaims:
        """Check signature, binding to this request, four-eyes and age; return the claims."""
        claims = self.claims_of(reference)
        if claims.kind != kind:
            raise ApprovalMismatch(f"the approval is for a {claims.kind}, not a {kind}")
        if not hmac.compare_digest(claims.args_hash, args_digest(args)):
            raise ApprovalMismatch("the arguments differ from the approved ones")
        if claims.idempotency_key != idempotency_key:
            raise ApprovalMismatch("the approval was issued for another idempotency key")
        if not claims.approver or not claims.requester or claims.approver == claims.requester:
            raise ApprovalMismatch("an approval needs an approver other than the requester")
        age = self._clock() - claims.issued_at
        if age > self.ttl_seconds or age < -CLOCK_SKEW_SECONDS:
            raise ApprovalExpired(f"the approval was issued {int(age)} s ago (limit {self.ttl_seconds} s)")
        return claims


def signer_from_settings(settings: Any) -> ApprovalSigner:
    """The signer over ``settings.approval_key``, else the key generated into the data dir."""
    from core.secrets import load_or_create_secret

    key = load_or_create_secret(settings.resolved_data_dir, KEY_FILE, getattr(settings, "approval_key", None))
    return ApprovalSigner(key, ttl_seconds=getattr(settings, "approval_ttl_seconds", DEFAULT_TTL_SECONDS))


def payments_api_token(settings: Any) -> str:
    """The bearer token of the payments API: ``settings.payments_api_token``, else generated into the data dir."""
    from core.secrets import load_or_create_secret

    return load_or_create_secret(
        settings.resolved_data_dir, "payments-api.token", settings.payments_api_token
    )
