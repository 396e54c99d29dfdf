"""Names, IBANs and account numbers never reach the model; the analyst sees the real values."""

from __future__ import annotations

from agent.pseudonymise import Pseudonymiser, StreamRestorer
from tests.agent.conftest import UETR_STUCK
from tests.agent.fakes import ScriptedChatModel, default_script


def test_mask_and_unmask_round_trip():
    p = Pseudonymiser()
    p.learn(
        {
            "creditor_name": "Jane Marlowe",
            "debtor_name": "Alpine Textiles GmbH",
            "status": "ACSP",
            "creditor_agent_bic": "BNPAFRPPXXX",
        }
    )
    text = "Jane Marlowe (DE89370400440532013000, acct 123456789012) paid by Alpine Textiles GmbH on PAY-00000001"
    masked = p.mask(text)
    for secret in ("Jane Marlowe", "DE89370400440532013000", "123456789012", "Alpine Textiles GmbH"):
        assert secret not in masked
    assert (
        "PAY-00000001" in masked
        and "<PARTY_1>" in masked
        and "<IBAN_1>" in masked
        and "<ACCOUNT_1>" in masked
    )
    assert p.unmask(masked) == text
    assert "BNPAFRPPXXX" not in p.mapping.values()  # codes are not personal data


def test_tokens_are_stable_across_instances():
    first = Pseudonymiser()
    token = first.register("Jane Marlowe", "PARTY")
    again = Pseudonymiser(first.mapping)
    assert again.mask("Jane Marlowe called") == f"{token} called"


def test_stream_restorer_handles_tokens_split_across_chunks():
    p = Pseudonymiser({"<PARTY_1>": "Jane Marlowe"})
    restorer = StreamRestorer(p)
    out = "".join(restorer.feed(chunk) for chunk in ["Paid to <PA", "RTY_", "1> today"]) + restorer.flush()
    assert out == "Paid to Jane Marlowe today"


async def test_no_personal_data_reaches_the_model(make_service):
    model = ScriptedChatModel(
        script=default_script(answer="The beneficiary <PARTY_1> was not credited [E1].")
    )
    service = make_service(model=model)
    try:
        result = await service.ask(f"Jane Marlowe says {UETR_STUCK} to DE89370400440532013000 never arrived")
        sent = model.prompts_text()
        assert "Jane Marlowe" not in sent and "DE89370400440532013000" not in sent
        assert "Alpine Textiles GmbH" not in sent
        assert "<PARTY_1>" not in result.answer and "Jane Marlowe" in result.answer
    finally:
        await service.aclose()


def test_names_in_free_text_are_masked():
    p = Pseudonymiser()
    p.learn_text(
        "Customer Alpine Textiles GmbH says their payment PAY-90000001 to Great Lakes Components Inc "
        "never arrived. Please check."
    )
    masked = p.mask("Alpine Textiles GmbH paid Great Lakes Components Inc")
    assert "Alpine" not in masked and "Great Lakes" not in masked
    assert "Customer" not in p.mapping.values() and "Please" not in " ".join(p.mapping.values())
