"""The independent claim check: what a reply asserts about status, codes and amounts vs the scenario truth."""

from __future__ import annotations

import pytest

from evals.claims import unsupported_claims
from evals.dataset import CaseTruth

IN_FLIGHT = CaseTruth(
    payment_status="ACSP",
    status_reason="G002",
    statuses=["ACSP"],
    reasons=["G002"],
    amounts=["48250.00"],
    summary="Stopped at intermediary HUDSUS33 with ACSP/G002; never forwarded to the creditor agent.",
)
CREDITED = CaseTruth(payment_status="ACCC", statuses=["ACCC"], amounts=["12400.00"], summary="Credited.")


@pytest.mark.parametrize(
    ("reply", "truth", "expected"),
    [
        ("The payment is ACSP/G002 at HUDSUS33. USD 48,250.00 was sent.", IN_FLIGHT, []),
        ("It has not been credited yet; it is held at HUDSUS33 with G002.", IN_FLIGHT, []),
        ("If it is credited later, tell the customer.", IN_FLIGHT, []),
        ("The beneficiary was credited on 17 November.", IN_FLIGHT, ["says 'credited' (truth: ACSP/G002)"]),
        ("The cover leg shows G004 at the creditor agent.", IN_FLIGHT, ["reason G004 (truth: G002)"]),
        ("Tracker status is ACCC.", IN_FLIGHT, ["status ACCC (truth: ACSP)"]),
        ("EUR 4,957.50 was received.", IN_FLIGHT, ["amount EUR 4,957.50 not in the truth or the evidence"]),
        (
            "The recall was rejected by the beneficiary bank.",
            IN_FLIGHT,
            [],
        ),  # about a recall, not the payment
        ("It was credited (ACCC) to Orchid Furniture, EUR 12,400.00.", CREDITED, []),
        ('- [E2] {"current_status":"ACSP","status_reason":"G002","credited":false}', IN_FLIGHT, []),
        ('- [E2] {"current_status":"ACSP","gpi":true,"credited… hops=', IN_FLIGHT, []),
        ("The payment was rejected.", CREDITED, ["says 'rejected' (truth: ACCC/None)"]),
        ("The action was rejected by supervisor2.", CREDITED, []),  # the proposed action, not the payment
        # A request named by its camt.110 type is a request too ...
        ("The supervisor rejected the CONR: cover is expected today.", IN_FLIGHT, []),
        # ... and the payment itself is still checked beside it.
        ("The payment was rejected with UM14.", IN_FLIGHT, ["says 'rejected' (truth: ACSP/G002)"]),
        # The agent's outcome line names the proposal: a decision on the action, not the payment's state ...
        ("PR-796cb7f9d3a1 recall FRAD on PAY-90000027: rejected by supervisor2.", CREDITED, []),
        # ... while the same words about the payment alone are still a claim.
        ("PAY-90000027: rejected by the creditor agent.", CREDITED, ["says 'rejected' (truth: ACCC/None)"]),
        # A quoted procedure line says what the SOP covers, not the payment's state ...
        (
            "- Procedure, Purpose: how analysts handle payments held for compliance reasons. [SOP-011 §1]",
            CREDITED,
            [],
        ),
        # ... but the same words outside a cited procedure line are a claim.
        ("- The payment is held for compliance review.", CREDITED, ["says 'held' (truth: ACCC/None)"]),
        (
            "- Procedure, Scope: it was frozen. The payment is on hold.",
            CREDITED,
            ["says 'held' (truth: ACCC/None)"],
        ),
    ],
)
def test_claim_check_table(reply: str, truth: CaseTruth, expected: list[str]) -> None:
    assert unsupported_claims(reply, truth) == expected


def test_codes_and_amounts_in_the_runs_evidence_are_supported() -> None:
    evidence = '{"hops": [{"bic": "RHNBDEFF", "status": "ACSP", "reason": "G000"}], "charges": "15.00 USD"}'
    reply = "RHNBDEFF forwarded it with G000; USD 15.00 was deducted."
    assert unsupported_claims(reply, IN_FLIGHT) != []
    assert unsupported_claims(reply, IN_FLIGHT, evidence) == []
