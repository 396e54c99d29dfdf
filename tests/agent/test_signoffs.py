"""Compliance sign-off and the second approver above the top tier (agent.approvals.check_decision)."""

from __future__ import annotations

from typing import Any

import pytest

from agent.approvals import (
    TOP_TIER_EUR,
    Decision,
    Principal,
    SignOffRequired,
    check_decision,
    needs_compliance,
    queue_view,
)
from agent.errors import FourEyesViolation, InvalidDecision, NotAuthorised

COMPLIANCE = Principal(username="compliance1", role="compliance")
SUP1 = Principal(username="supervisor1", role="supervisor", approval_limit_eur=5_000_000)
SUP2 = Principal(username="supervisor2", role="supervisor", approval_limit_eur=5_000_000)


def _proposal(kind: str = "recall", code: str = "FRAD", history: list[dict[str, Any]] | None = None) -> dict:
    return {
        "id": "PR-1",
        "thread_id": "T",
        "status": "submitted",
        "kind": kind,
        "args": {"reason_code": code} if code else {},
        "reason_code": code,
        "amount": 1000.0,
        "currency": "EUR",
        "requested_by": "analyst1",
        "history": history or [],
    }


def _check(
    proposal: dict, who: Principal, action: str = "approve", eur: float | None = 1000.0, **kw: Any
) -> str:
    decision = Decision(proposal_id="PR-1", action=action, **kw)  # type: ignore[arg-type]
    return check_decision(decision, proposal, who, "T", actions_enabled=True, amount_eur=eur)


@pytest.mark.parametrize(
    ("kind", "code", "needed"),
    [("recall", "FRAD", True), ("recall", "UAPA", True), ("release_hold", "", True), ("recall", "DUPL", False),
     ("return_funds", "FR01", False), ("investigation", "CCNR", False)],
)  # fmt: skip
def test_which_actions_need_compliance(kind: str, code: str, needed: bool) -> None:
    assert needs_compliance(_proposal(kind, code)) is needed


def test_supervisor_needs_the_sign_off_first() -> None:
    with pytest.raises(SignOffRequired):
        _check(_proposal("release_hold", ""), SUP1)
    signed = _proposal("release_hold", "", [{"event": "compliance_signoff", "by": "compliance1"}])
    assert _check(signed, SUP1) == "approve"
    assert queue_view(signed)["compliance_signoff_by"] == "compliance1"


def test_compliance_only_signs_off_what_needs_it() -> None:
    assert _check(_proposal(), COMPLIANCE) == "compliance_signoff"
    with pytest.raises(NotAuthorised):
        _check(_proposal("recall", "DUPL"), COMPLIANCE)
    with pytest.raises(NotAuthorised):
        _check(_proposal(), COMPLIANCE, action="edit", args={"reason_code": "UAPA"})
    with pytest.raises(InvalidDecision):
        _check(_proposal(history=[{"event": "compliance_signoff", "by": "other"}]), COMPLIANCE)
    assert _check(_proposal(), COMPLIANCE, action="reject", reason="not a fraud case") == "reject"


def test_the_requester_cannot_sign_off() -> None:
    with pytest.raises(FourEyesViolation):
        _check(_proposal(), Principal(username="analyst1", role="compliance"))


def test_an_edit_starts_the_approvals_over() -> None:
    history = [{"event": "compliance_signoff", "by": "compliance1"}, {"event": "edit", "by": "supervisor2"}]
    with pytest.raises(SignOffRequired):
        _check(_proposal(history=history), SUP1)


def test_top_tier_needs_two_different_approvers() -> None:
    proposal = _proposal("return_funds", "AC04")
    big = TOP_TIER_EUR + 1
    assert _check(proposal, SUP1, eur=big) == "first_approval"
    proposal["history"].append({"event": "first_approval", "by": "supervisor1"})
    with pytest.raises(FourEyesViolation):
        _check(proposal, SUP1, eur=big)
    assert _check(proposal, SUP2, eur=big) == "approve"
    assert (
        _check(_proposal("return_funds", "AC04"), SUP1, eur=TOP_TIER_EUR) == "approve"
    )  # tier 2: one is enough
