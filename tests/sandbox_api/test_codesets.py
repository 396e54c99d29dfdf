"""Codes per message element against ISO's external code sets, and every code built into a valid message."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox import codesets
from sandbox import iso20022 as iso
from tools import action_codes as c

# ISO's external code sets as published (JSON Schema), vendored beside the official XSDs.
CODE_SETS = Path(__file__).resolve().parents[2] / "sandbox" / "xsd" / "external_code_sets.json"

PAY = iso.OriginalPayment(
    payment_id="PAY-00000001",
    uetr="0b2c5f0e-1234-4abc-8def-0123456789ab",
    end_to_end_id="E2E-TEST000001",
    amount=Decimal("1234.5"),
    currency="EUR",
    settlement_date=date(2026, 11, 2),
    debtor_agent_bic="DEUTDEFF",
    creditor_agent_bic="BNPAFRPPXXX",
    tx_id="TX-1",
    instr_id="INSTR-1",
    intermediary_bics=("CHASUS33",),
    msg_id="MSG-1",
    value_date=date(2026, 11, 4),
)


@pytest.fixture(scope="module")
def iso_sets() -> dict[str, set[str]]:
    assert CODE_SETS.is_file(), f"ISO code sets not found at {CODE_SETS}"
    definitions = json.loads(CODE_SETS.read_text(encoding="utf-8"))["definitions"]
    return {name: set(d.get("enum", ())) for name, d in definitions.items()}


@pytest.mark.parametrize("row", codesets.ELEMENTS, ids=lambda r: f"{r.message}:{r.path}")
def test_every_element_code_is_in_its_iso_set(
    row: codesets.ElementCodes, iso_sets: dict[str, set[str]]
) -> None:
    assert row.iso_set in iso_sets, row.iso_set
    outside = sorted(set(row.codes) - iso_sets[row.iso_set])
    assert not outside, f"{row.message} {row.path}: {outside} not in {row.iso_set}"


def test_reasons_by_type_are_camt110_reasons() -> None:
    reasons = set(codesets.element("camt.110", "InvstgtnData/Rsn/Cd").codes)
    types = set(codesets.element("camt.110", "InvstgtnReq/InvstgtnTp/Cd").codes)
    for kind, allowed in c.REASONS_BY_TYPE.items():
        assert kind in types and set(allowed) <= reasons, kind


def test_codes_removed_by_the_audit_are_refused() -> None:
    # Not ISO investigation reasons (VADA, MS12, MS13, MM20, MM34), wrong-set answer reasons, PACR.
    for bad in ("VADA", "MS12", "MS13", "MM20", "MM34"):
        with pytest.raises(codesets.CodeSetError):
            codesets.check_code("camt.110", "InvstgtnData/Rsn/Cd", bad)
    for bad in ("AC04", "AM04", "CUST", "IDMN", "RQDA", "RNPR", "CHRG"):
        with pytest.raises(codesets.CodeSetError):
            codesets.check_code("camt.111", "InvstgtnRspn/InvstgtnSts/StsRsn/Cd", bad)
    for bad in ("ARJT", "ESCA", "FTNA", "PARE", "RNPR", "CHRG"):
        with pytest.raises(codesets.CodeSetError):
            codesets.check_code("camt.029", "CxlDtls/TxInfAndSts/CxlStsRsnInf/Rsn/Cd", bad)
    with pytest.raises(iso.XsdValidationError, match="not a valid"):
        iso.build_camt056(PAY, msg_id="M", reason_code="VADA")
    with pytest.raises(iso.XsdValidationError, match="not a reason"):
        iso.build_camt110(PAY, msg_id="M", investigation_type="RQCH", reason_code="CCNR")


def _valid(draft: iso.MessageDraft) -> None:
    assert draft.xsd_validated
    assert iso.validate_xml(draft.message_type[:8], draft.xml) == []


@pytest.mark.parametrize("code", [m.value for m in c.CancellationReason])
def test_camt056_with_every_reason(code: str) -> None:
    _valid(iso.build_camt056(PAY, msg_id="M", reason_code=code, case_id="CASE-000001"))


@pytest.mark.parametrize("status", c.CAMT029_STATUSES)
@pytest.mark.parametrize("reason", [None, *(m.value for m in c.Camt029Reason)])
def test_camt029_with_every_status_and_reason(status: str, reason: str | None) -> None:
    _valid(iso.build_camt029(PAY, msg_id="M", status=status, reason_code=reason, additional_info="x"))


def _camt110_cases() -> list[tuple[str, str | None, str | None, str | None]]:
    cases: list[tuple[str, str | None, str | None, str | None]] = []
    for kind in c.InvestigationType:
        sub = "SANC" if kind == c.InvestigationType.RQFI else None
        cases += [(kind.value, sub, reason, None) for reason in codesets.reasons_for(kind.value)]
    cases += [("RQFI", sub.value, "RQDO", None) for sub in c.RfiSubType]
    cases += [("UTAP", None, "UTAP", sub.value) for sub in c.ReasonSubType]
    return cases


@pytest.mark.parametrize(("kind", "sub_type", "reason", "reason_sub"), _camt110_cases())
def test_camt110_with_every_type_sub_type_and_reason(
    kind: str, sub_type: str | None, reason: str | None, reason_sub: str | None
) -> None:
    _valid(
        iso.build_camt110(
            PAY,
            msg_id="M",
            investigation_type=kind,
            sub_type=sub_type,
            reason_code=reason,
            reason_sub_type=reason_sub,
            additional_info="Please check",
        )
    )


@pytest.mark.parametrize("compensation", [None, Decimal("41.10")])
def test_camt110_value_date_claim(compensation: Decimal | None) -> None:
    draft = iso.build_camt110(
        PAY,
        msg_id="M",
        investigation_type="RQVA",
        correct_value_date=date(2026, 11, 2),
        compensation_amount=compensation,
        additional_info="Value date two days late",
    )
    _valid(draft)
    assert ("ReqdCompstn" in draft.xml) is (compensation is not None)
    assert "<ReqNrrtv>Value date two days late</ReqNrrtv>" in draft.xml


@pytest.mark.parametrize("status", c.CAMT111_STATUSES)
@pytest.mark.parametrize("reason", [None, *(m.value for m in c.Camt111Reason)])
def test_camt111_with_every_status_and_reason(status: str, reason: str | None) -> None:
    _valid(iso.build_camt111(PAY, msg_id="M", status=status, investigation_type="CONR", reason_code=reason))


@pytest.mark.parametrize("kind", [m.value for m in c.InvestigationType])
def test_camt111_answers_every_type(kind: str) -> None:
    _valid(iso.build_camt111(PAY, msg_id="M", status="PDNG", investigation_type=kind, additional_info="x"))


@pytest.mark.parametrize("code", [m.value for m in c.ReturnReason])
def test_pacs004_with_every_reason(code: str) -> None:
    _valid(iso.build_pacs004(PAY, msg_id="M", reason_code=code))


def test_pacs028_status_request() -> None:
    draft = iso.build_pacs028(PAY, msg_id="M")
    _valid(draft)
    assert draft.xsd_source != "official"  # the vendored pacs.028 schema is a reduced one (xsd/README.md)


CORPUS = Path(__file__).resolve().parents[2] / "retrieval" / "corpus"


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1]) or {}


def test_sop_front_matter_codes_are_in_their_iso_sets(iso_sets: dict[str, set[str]]) -> None:
    checked = 0
    for path in sorted(CORPUS.glob("SOP-*.md")):
        for alias, codes in (_front_matter(path).get("iso_codes") or {}).items():
            assert alias in codesets.ALIASES, f"{path.name}: unknown element {alias}"
            outside = sorted(set(codes) - iso_sets[codesets.ALIASES[alias].iso_set])
            assert not outside, f"{path.name} {alias}: {outside} not in {codesets.ALIASES[alias].iso_set}"
            checked += len(codes)
    assert checked > 50  # the procedures that instruct codes declare them


def test_sop_text_has_no_code_the_audit_removed() -> None:
    # camt.111 statuses are CLSD/PDNG/RJCT; PACR, "VADA as a camt.110 reason" and camt.028 UTAP answers are gone.
    for path in sorted(CORPUS.glob("SOP-*.md")):
        text = path.read_text(encoding="utf-8")
        assert "camt.111 (or camt.029) **ACNR**" not in text and "PACR" not in text, path.name
        assert "camt.111 with CHRG" not in text and "Answer with camt.028" not in text, path.name


def test_playbook_codes_are_in_their_element_sets() -> None:
    from agent.playbooks import PLAYBOOKS
    from core.domain import ActionKind
    from tools.action_codes import ResolutionCode

    sets = {
        ActionKind.RECALL: set(codesets.ALIASES["camt.056.reason"].codes),
        ActionKind.RETURN_FUNDS: set(codesets.ALIASES["pacs.004.reason"].codes),
        ActionKind.INVESTIGATION: {*codesets.ALIASES["camt.110.type"].codes, "pacs.028"},
        ActionKind.INVESTIGATION_ANSWER: {
            *codesets.ALIASES["camt.111.reason"].codes,
            *codesets.ALIASES["camt.029.reason"].codes,
        },
        ActionKind.REQUEST_INFO: set(codesets.ALIASES["camt.110.sub_type"].codes),
        ActionKind.CLOSE_CASE: {c.value for c in ResolutionCode},  # internal, no ISO message
    }
    for playbook in PLAYBOOKS.values():
        for kind, codes in playbook.allowed.items():
            outside = set(codes) - sets[kind]
            assert not outside, f"{playbook.case_type.value} {kind.value}: {sorted(outside)}"
