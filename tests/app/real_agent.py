"""The real AgentService wired to the agent tests' scripted model, fake payments port and list retriever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.service import AgentService
from core.settings import Settings
from tests.agent.fakes import (
    FakePaymentPort,
    ListRetriever,
    ScriptedChatModel,
    default_script,
    payment,
    sop_hit,
)

UETR_STUCK = "97ed4827-7b6f-4491-a06f-b548d5a7512d"


class SectionRetriever(ListRetriever):
    """ListRetriever plus get_section for the citation side panel and a claim-of-non-receipt SOP for
    ``procedure`` (the case type's own SOP, listed after the searched sections)."""

    OWN = (
        ("4.1", "Check for an open case."),
        ("5.1", "Draft the camt.110 CCNR."),
        ("7", "Chase after two days."),
    )

    def get_section(self, sop_id: str, section: str) -> dict[str, Any] | None:
        return next((h for h in self.hits if h["sop_id"] == sop_id and h["section"] == section), None)

    def procedure(self, case_type: Any) -> list[dict[str, Any]]:
        if str(case_type) != "claim_non_receipt":
            return []
        return [sop_hit("SOP-001", section, text, ["claim_non_receipt"]) for section, text in self.OWN]


def build_real_service(
    settings: Settings, audit: Any, tmp: Path
) -> tuple[AgentService, FakePaymentPort, SectionRetriever]:
    """An AgentService whose model answers with a citation and proposes a camt.110 CCNR for UETR_STUCK."""
    port = FakePaymentPort(
        tmp / "payments-actions.db",
        [
            payment("PAY-00000001", UETR_STUCK, creditor="Jane Marlowe"),
        ],
    )
    retriever = SectionRetriever(
        [
            sop_hit(
                "SOP-002",
                "3",
                "If the tracker shows ACSP/G002 at an intermediary, send camt.110 CCNR. <b>x</b>",
                ["claim_non_receipt", "status_chaser"],
            ),
        ]
    )
    model = ScriptedChatModel(
        script=default_script(
            answer="The payment is at BNPAFRPPXXX with ACSP/G002 [E2]; per [SOP-002 §3] send a claim."
        )
    )
    service = AgentService(settings, chat_model=model, systems=port, retriever=retriever, audit=audit)
    return service, port, retriever
