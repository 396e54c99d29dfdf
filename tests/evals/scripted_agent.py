"""A scripted model and fake payment systems behind the real AgentService, for the gate and degradation tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from core.settings import Settings
from evals.config import CONFIG_DIR, EvalConfig, load_config
from evals.dataset import EvalCase
from evals.environment import build_service
from evals.runner import RunOutput, run_dataset
from tests.agent.fakes import (
    FakeClassifier,
    FakePaymentPort,
    ListRetriever,
    ScriptedChatModel,
    payment,
    sop_hit,
)

UETR_STUCK = "97ed4827-7b6f-4491-a06f-b548d5a7512d"
UETR_DUP = "3c1f2a9e-5b7d-4e2a-9c4b-1d2e3f4a5b6c"
NO_PLAN_RE = re.compile(r"do not (call or )?plan any tools|empty list of steps", re.IGNORECASE)
EXTRA_READS = {
    "claim_non_receipt": "get_screening",
    "duplicate": "get_risk_signals",
}  # not playbook-mandatory


SPECULATE_RE = re.compile(r"fill\s+the\s+gaps\s+with\s+what\s+most\s+likely\s+happened", re.IGNORECASE)


def script(kind: str, messages: list[BaseMessage]) -> Any:
    """A model that follows its prompt: plans an extra read unless told not to, speculates when invited."""
    text = "\n".join(str(m.content) for m in messages)
    case_type = "duplicate" if "twice by mistake" in str(messages[-1].content) else "claim_non_receipt"
    reference = "PAY-00000002" if case_type == "duplicate" else UETR_STUCK
    if kind == "CaseClassification":
        return {"case_type": case_type}
    if kind == "Plan":
        if NO_PLAN_RE.search(text):  # the degraded prompt's instruction, as a compliant model reads it
            return {"steps": [], "queries": ["payments"]}
        return {"steps": [{"tool": EXTRA_READS[case_type], "reference": reference}], "queries": [case_type]}
    if "Outcomes:" in str(messages[-1].content):
        return "The supervisor decided; the action was sent."
    if SPECULATE_RE.search(text):  # the degraded prompt's invitation, as a compliant model reads it
        return "It was most likely credited already with G004 cleared; expect it within 24 hours."
    if case_type == "duplicate":
        return "PAY-00000002 was sent twice (duplicate PAY-00000009) [E2] [SOP-008 §5.2]."
    return "The payment is ACSP/G002 at BNPAFRPPXXX [E2] [SOP-001 §4.4]."


def cases() -> list[EvalCase]:
    claim = {
        "id": "cnr",
        "case_type": "claim_non_receipt",
        "turns": [
            {
                "role": "analyst",
                "content": f"Customer says {UETR_STUCK} never arrived",
                "as_user": "supervisor1",
            },
            {
                "role": "approval",
                "decision": {"action": "approve", "proposal_kind": "investigation", "as_user": "supervisor1"},
            },
            {
                "role": "approval",
                "decision": {"action": "approve", "proposal_kind": "investigation", "as_user": "supervisor2"},
            },
        ],
        # the agent's triage reads the whole cheap bundle of the payment first (docs/agent.md)
        "expected_tool_calls": [
            {"name": name, "args": {"reference": UETR_STUCK}}
            for name in (
                "get_payment",
                "get_tracker",
                "get_cases",
                "get_screening",
                "get_risk_signals",
                "find_duplicates",
            )
        ],
        "expected_sop_sections": ["SOP-001 §4"],
        "required_facts": ["G002", "BNPAFRPPXXX"],
        "expected_proposals": [{"kind": "investigation", "reason_code": "CCNR"}],
        "forbidden_actions": ["recall"],
        "truth": {"payment_status": "ACSP", "status_reason": "G002", "stopped_at_bic": "BNPAFRPPXXX"},
    }
    dup = {
        "id": "dup",
        "case_type": "duplicate",
        "turns": [{"role": "analyst", "content": "PAY-00000002 was sent twice by mistake"}],
        "expected_tool_calls": [
            {"name": name, "args": {"reference": "PAY-00000002"}}
            for name in (
                "get_payment",
                "get_tracker",
                "get_cases",
                "get_screening",
                "get_risk_signals",
                "find_duplicates",
            )
        ],
        "expected_sop_sections": ["SOP-008 §5.2"],
        "required_facts": ["PAY-00000009"],
        "expected_proposals": [{"kind": "recall", "reason_code": "DUPL"}],
        "truth": {"payment_status": "ACCC", "statuses": ["ACCC"]},
    }
    return [EvalCase.model_validate(claim), EvalCase.model_validate(dup)]


def fake_port(path: Path) -> FakePaymentPort:
    """The three payments of the scripted cases."""
    return FakePaymentPort(
        path,
        [
            payment("PAY-00000001", UETR_STUCK),
            payment("PAY-00000002", UETR_DUP, status="ACCC", reason=None, duplicates=["PAY-00000009"]),
            payment("PAY-00000009", "8b7c6d5e-4f3a-4b2c-9d1e-0f1a2b3c4d5e", status="ACCC", reason=None),
        ],
    )


def fake_retriever() -> ListRetriever:
    return ListRetriever(
        [
            sop_hit("SOP-001", "4.4", "Read the tracker status and reason code.", ["claim_non_receipt"]),
            sop_hit("SOP-008", "5.2", "Send the camt.056 with DUPL.", ["duplicate"]),
        ]
    )


async def run_config(
    settings: Settings, tmp_path: Path, config_name: str, config: EvalConfig | None = None
) -> tuple[RunOutput, ScriptedChatModel, ListRetriever]:
    """Run the two scripted cases with a configuration file (or ``config``, named ``config_name``)."""
    config = config or load_config(CONFIG_DIR / f"{config_name}.yaml")
    port = fake_port(tmp_path / f"{config_name}-actions.db")
    retriever = fake_retriever()
    model = ScriptedChatModel(script=script)
    service = build_service(
        settings, config, chat_model=model, retriever=retriever, systems=port, classifier=FakeClassifier()
    )
    try:
        output = await run_dataset(service, cases(), config)
    finally:
        await service.aclose()
    return output, model, retriever
