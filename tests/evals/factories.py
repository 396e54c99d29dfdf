"""Hand-made trajectories and cases for the evaluation tests."""

from __future__ import annotations

from typing import Any

from evals.dataset import EvalCase
from evals.trajectory import DecisionRecord, Trajectory, turn_from_result

UETR = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def claim_case(**overrides: Any) -> EvalCase:
    """A claim of non-receipt case stuck at an intermediary with G002."""
    data: dict[str, Any] = {
        "id": "cnr-g002",
        "case_type": "claim_non_receipt",
        "turns": [{"role": "analyst", "content": f"Customer says {UETR} never arrived."}],
        "expected_tool_calls": [
            {"name": "get_payment", "args": {"reference": UETR}},
            {"name": "get_tracker", "args": {"reference": UETR}},
        ],
        "expected_sop_sections": ["SOP-001 §4.2", "SOP-010 §2"],
        "required_facts": ["G002", "BANKDEFFXXX"],
        "expected_proposals": [{"kind": "investigation", "reason_code": "CCNR"}],
        "forbidden_actions": ["recall"],
        "truth": {"payment_status": "ACSP", "status_reason": "G002", "amounts": ["1000.00"]},
    }
    data.update(overrides)
    return EvalCase.model_validate(data)


def good_result() -> dict[str, Any]:
    """A TurnResult (JSON form) that does everything the claim case expects."""
    return {
        "status": "answered",
        "case_type": "claim_non_receipt",
        "case_type_source": "classifier",
        "unsupported_claims": 0,
        "latency_ms": 4200.0,
        "tool_calls": [
            {
                "tool": "get_payment",
                "args": {"reference": UETR},
                "ok": True,
                "result": {"id": "PAY-00000001"},
                "evidence_id": "E1",
            },
            {
                "tool": "get_tracker",
                "args": {"reference": UETR},
                "ok": True,
                "result": {"status": "ACSP"},
                "evidence_id": "E2",
            },
        ],
        "evidence": [{"id": "E1"}, {"id": "E2"}],
        "hits": [
            {
                "chunk_id": "c1",
                "citation": "SOP-001 §4.2",
                "version": "1.0",
                "text": "Claim non-receipt with camt.110.",
            },
            {"chunk_id": "c2", "citation": "SOP-010 §2.1", "version": "1.0", "text": "G002 means..."},
        ],
        "answer": "The payment is ACSP/G002 at BANKDEFFXXX [E2] [SOP-001 §4.2]. I propose a camt.110 CCNR.",
        "citations": ["E2", "SOP-001 §4.2"],
        "invalid_citations": 0,
        "proposals": [
            {
                "id": "P1",
                "kind": "investigation",
                "args": {},
                "reason_code": "CCNR",
                "message_type": "camt.110",
                "status": "proposed",
            }
        ],
        "llm_calls": [
            {
                "prompt": "plan",
                "version": "v1",
                "model": "m",
                "prompt_tokens": 80,
                "completion_tokens": 20,
                "latency_ms": 1500.0,
                "ok": True,
                "error": None,
            }
        ],
    }


def bad_result() -> dict[str, Any]:
    """A TurnResult that skips the tracker, retrieves the wrong SOP, invents a citation and proposes a recall."""
    return {
        "status": "answered",
        "tool_calls": [
            {
                "tool": "get_payment",
                "args": {"reference": UETR},
                "ok": True,
                "result": {},
                "evidence_id": "E1",
            },
            {
                "tool": "get_cases",
                "args": {"reference": UETR},
                "ok": False,
                "error": {"code": "x"},
                "evidence_id": "E2",
            },
        ],
        "hits": [
            {"chunk_id": "c9", "citation": "SOP-003 §1", "version": "1.0"},
            {"chunk_id": "c8", "citation": "SOP-001 §5", "version": "1.0"},
        ],
        "case_type": "duplicate",
        "unsupported_claims": 2,
        "answer": "The payment was credited on time.",
        "citations": ["SOP-009 §9", "E1"],
        "invalid_citations": 1,
        "proposals": [
            {"id": "P9", "kind": "recall", "args": {}, "reason_code": "DUPL", "status": "proposed"}
        ],
        "llm_calls": [
            {
                "prompt": "answer",
                "version": "v1",
                "model": "m",
                "latency_ms": 90000.0,
                "ok": False,
                "error": "timeout",
            }
        ],
    }


def trajectory_of(*results: dict[str, Any], case: EvalCase | None = None) -> Trajectory:
    """A trajectory whose analyst turns produced the given results."""
    case = case or claim_case()
    turns = [turn_from_result(r, role="analyst", content=case.turns[0].content or "") for r in results]
    return Trajectory(case_id=case.id, thread_id="t1", turns=turns)


def decision(
    action: str = "approve", approver: str = "supervisor1", requester: str = "analyst1", **kw: Any
) -> DecisionRecord:
    """A decision record as the runner stores it."""
    data = {
        "proposal_id": "P1",
        "proposal_kind": "investigation",
        "action": action,
        "approver": approver,
        "requester": requester,
        "accepted": True,
    }
    data.update(kw)
    return DecisionRecord(**data)
