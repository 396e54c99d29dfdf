"""Personal data never reaches the model: a corpus of realistic strings, and one whole captured turn."""

from __future__ import annotations

import pytest

from agent.pseudonymise import Pseudonymiser
from tests.security.pii_corpus import CASES, OPERATIONAL, PARTIES


def _pseudo() -> Pseudonymiser:
    p = Pseudonymiser()
    p.learn({"payments": [{"creditor_name": n, "debtor_name": "Alpine Textiles GmbH"} for n in PARTIES]})
    return p


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 50 and sum(len(s) for _, s in CASES) >= 60


@pytest.mark.parametrize(("text", "secrets"), CASES, ids=[t[:40] for t, _ in CASES])
def test_no_identifier_survives_masking(text: str, secrets: list[str]) -> None:
    p = _pseudo()
    masked = p.mask(text)
    for secret in secrets:
        assert secret.lower() not in masked.lower(), masked
    assert "<" not in p.unmask(masked)  # every token restores to a real value


def test_leak_count_over_the_corpus_is_zero() -> None:
    p = _pseudo()
    leaks = [(t, s) for t, secrets in CASES for s in secrets if s.lower() in p.mask(t).lower()]
    assert leaks == []


@pytest.mark.parametrize("text", OPERATIONAL)
def test_operational_text_is_left_alone(text: str) -> None:
    assert _pseudo().mask(text) == text


def test_round_trip_restores_what_the_analyst_wrote() -> None:
    p = _pseudo()
    text = "Jean-Pierre Dupont (DE89 3704 0044 0532 0130 00, jean.dupont@example.fr) paid PAY-00000001"
    assert p.unmask(p.mask(text)) == text
    # One token per person: a name written in lower case comes back as the payment records spell it.
    assert p.unmask(p.mask("jean-pierre dupont called")) == "Jean-Pierre Dupont called"


def test_masked_evidence_pack_holds_none_of_the_corpus(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    from app.evidence import build_evidence_pack
    from core.audit import AuditLog
    from core.schema import open_app_db
    from core.users import User

    audit = AuditLog(open_app_db(f"sqlite:///{tmp_path / 'app.db'}"))
    parties = [{"creditor_name": n} for n in PARTIES]
    audit.append("agent.tool_result", actor="analyst1", conversation_id="c1", payload={"data": parties})
    for text, _ in CASES:
        summary = {"summary": text, "tool": "get_payment"}
        audit.append("agent.tool_result", actor="analyst1", conversation_id="c1", payload=summary)
    pack = build_evidence_pack(audit, "c1", viewer=User("supervisor1", "supervisor"), unmask=False)
    archive = zipfile.ZipFile(io.BytesIO(pack))
    shown = (archive.read("events.jsonl").decode() + archive.read("transcript.md").decode()).lower()
    leaks = [s for _, secrets in CASES for s in secrets if s.lower() in shown]
    assert leaks == []
