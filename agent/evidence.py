"""Typed views of the evidence: tool results parsed into the contract models of ``tools.models``.

The case rules and the findings read these models instead of guessing dict keys. A result that does not
parse (a newer or broken API) is treated as absent, so a rule never decides from half-read data.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.domain import UETR_RE
from tools.models import (
    Account,
    Cases,
    Compensation,
    Duplicates,
    PayeeVerification,
    Payment,
    RiskSignals,
    Screening,
    Tracker,
)

M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], data: Any) -> M | None:
    if not isinstance(data, dict):
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def payment_from(data: Any) -> Payment | None:
    """A get_payment result (``{"payment": {...}}`` or the payment itself) as a Payment."""
    if isinstance(data, dict) and isinstance(data.get("payment"), dict):
        data = data["payment"]
    return _parse(Payment, data)


def norm_ref(ref: str) -> str:
    """UETRs compare in lower case; payment ids and EndToEndIds as written."""
    return ref.lower() if UETR_RE.fullmatch(ref) else ref


def payment_refs(payment: Payment) -> set[str]:
    """Every reference that identifies ``payment``."""
    return {payment.id, payment.uetr.lower(), payment.end_to_end_id}


def to_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


_MODELS: dict[str, type[BaseModel]] = {
    "get_tracker": Tracker,
    "get_screening": Screening,
    "get_account": Account,
    "verify_payee": PayeeVerification,
    "find_duplicates": Duplicates,
    "get_cases": Cases,
    "get_risk_signals": RiskSignals,
    "compute_compensation": Compensation,
}


class EvidenceView:
    """The typed results about one payment (the case's target), each with the id of its evidence item."""

    def __init__(self, evidence: list[dict[str, Any]], target: str | None = None) -> None:
        self.evidence = evidence
        self.payment: Payment | None = None
        self.payment_id: str | None = None  # evidence id of the get_payment item
        for item in evidence:
            if item.get("tool") != "get_payment" or not item.get("ok"):
                continue
            parsed = payment_from(item.get("data"))
            if parsed and (target is None or norm_ref(target) in payment_refs(parsed)):
                self.payment, self.payment_id = parsed, item["id"]
                break
        self.refs = payment_refs(self.payment) if self.payment else set()

    def _about(self, item: dict[str, Any]) -> bool:
        """An item is about the target when its reference or its payment id names the target payment."""
        if not self.payment:
            return False
        ref = item.get("reference")
        if ref and norm_ref(ref) in self.refs:
            return True
        data = item.get("data")
        return isinstance(data, dict) and data.get("payment_id") == self.payment.id

    def get(self, tool: str) -> tuple[Any, str] | None:
        """The parsed result of ``tool`` about the target and its evidence id (None when absent/failed)."""
        model = _MODELS.get(tool)
        for item in self.evidence:
            if item.get("tool") != tool or not item.get("ok"):
                continue
            if tool in ("get_account", "verify_payee"):
                pass  # addressed by account, derived from the payment: trust the read's reference
            elif not self._about(item):
                continue
            parsed = _parse(model, item.get("data")) if model else item.get("data")
            if parsed is not None:
                return parsed, item["id"]
        return None

    def tracker(self) -> tuple[Tracker, str] | None:
        return self.get("get_tracker")

    def screening(self) -> tuple[Screening, str] | None:
        return self.get("get_screening")

    def account(self) -> tuple[Account, str] | None:
        return self.get("get_account")

    def payee(self) -> tuple[PayeeVerification, str] | None:
        return self.get("verify_payee")

    def duplicates(self) -> tuple[Duplicates, str] | None:
        return self.get("find_duplicates")

    def cases(self) -> tuple[Cases, str] | None:
        return self.get("get_cases")

    def risk(self) -> tuple[RiskSignals, str] | None:
        return self.get("get_risk_signals")

    def compensation(self) -> tuple[Compensation, str] | None:
        return self.get("compute_compensation")

    def sla(self) -> tuple[dict[str, Any], str] | None:
        for item in self.evidence:
            if item.get("tool") == "get_sla" and item.get("ok") and isinstance(item.get("data"), dict):
                return item["data"], item["id"]
        return None

    def failed(self) -> list[dict[str, Any]]:
        """Reads that failed (they are evidence too: the answer says what could not be seen)."""
        return [i for i in self.evidence if not i.get("ok") and i.get("tool") != "retrieval"]


def tracker_status(tracker: Tracker) -> tuple[str | None, str | None, str | None]:
    """(transaction status, reason code, agent BIC where it is or ended) from the tracker summary."""
    summary = tracker.summary or {}
    last = tracker.hops[-1] if tracker.hops else {}
    status = summary.get("current_status") or last.get("status")
    reason = summary.get("status_reason") or last.get("reason") or last.get("status_reason")
    agent = summary.get("stopped_at_bic") or summary.get("last_agent_bic") or last.get("agent_bic")
    return status, reason, agent


def hop_charges(tracker: Tracker) -> list[tuple[str, Decimal, str]]:
    """(agent BIC, amount, currency) for every hop that deducted charges, in path order."""
    out = []
    for hop in tracker.hops:
        amount = to_decimal(hop.get("charges_amount"))
        if amount and amount > 0:
            out.append((str(hop.get("agent_bic") or "?"), amount, str(hop.get("charges_currency") or "")))
    return out
