"""What the model provider receives over a whole turn (captured at the fake chat model) holds no personal data."""

from __future__ import annotations

from pathlib import Path

from agent.service import AgentService
from core.settings import Settings
from tests.agent.conftest import sample_hits
from tests.agent.fakes import FakePaymentPort, ListRetriever, ScriptedChatModel, default_script, payment

UETR = "97ed4827-7b6f-4491-a06f-b548d5a7512d"
SECRETS = [
    "zoe",
    "muller",
    "Müller",
    "de89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "zoe.mueller@example.de",
    "+49 30 1234567",
    "12/03/1985",
    "bob",
    "petrov",
    "Alpine Textiles",
    "07700 900123",
]


async def test_a_full_turn_sends_no_personal_data_to_the_model(settings: Settings, tmp_path: Path) -> None:
    port = FakePaymentPort(
        tmp_path / "actions.db",
        [
            payment(
                "PAY-00000001",
                UETR,
                creditor="Zoë Müller",
                remittance="Invoice 77 for Zoë Müller, call 07700 900123",
            )
        ],
    )
    model = ScriptedChatModel(script=default_script(answer="The payment to <PARTY_1> is held [E2]."))
    service = AgentService(
        settings, chat_model=model, systems=port, retriever=ListRetriever(sample_hits()), audit=None
    )
    message = (
        f"zoe muller says her payment {UETR} to de89 3704 0044 0532 0130 00 never arrived; reach her at "
        "zoe.mueller@example.de or +49 30 1234567 (born 12/03/1985). her colleague bob petrov confirms."
    )
    try:
        result = await service.ask(message)
    finally:
        await service.aclose()
    sent = model.prompts_text().lower()
    assert len(model.calls) >= 2  # intake / plan / answer calls all captured
    leaks = [s for s in SECRETS if s.lower() in sent]
    assert leaks == []
    assert UETR in sent  # the references the agent needs still reach it
    assert "<PARTY" not in result.answer and "[not in evidence]" not in result.answer  # real values restored
