"""ISO 20022 builders: XSD validity, escaping and length caps of untrusted text, namespaces of the drafts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sandbox import iso20022 as iso

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
)


def _text(xml: str, tag: str) -> list[str]:
    root = etree.fromstring(xml.encode())
    return [el.text or "" for el in root.iter() if etree.QName(el).localname == tag]


@settings(max_examples=40, deadline=None)
@given(info=st.text(max_size=400))
def test_any_untrusted_text_gives_valid_escaped_camt056(info: str) -> None:
    draft = iso.build_camt056(PAY, msg_id="M-1", reason_code="FRAD", additional_info=info)
    assert draft.xsd_validated
    assert iso.validate_xml("camt.056", draft.xml) == []
    for value in _text(draft.xml, "AddtlInf"):
        assert len(value) <= 105 and value == " ".join(value.split())


def test_markup_in_text_stays_text() -> None:
    draft = iso.build_camt029(
        PAY, msg_id="M-2", status="RJCR", reason_code="CUST", additional_info="</AddtlInf><Conf>CNCL</Conf>"
    )
    assert _text(draft.xml, "Conf") == ["RJCR"]
    assert _text(draft.xml, "AddtlInf") == ["</AddtlInf><Conf>CNCL</Conf>"]
    assert _text(draft.xml, "TxCxlSts") == ["RJCR"]


def test_invalid_values_fail_xsd() -> None:
    bad = iso.OriginalPayment(**{**PAY.__dict__, "currency": "EURO"})
    with pytest.raises(iso.XsdValidationError):
        iso.build_camt056(bad, msg_id="M-3", reason_code="DUPL")


@pytest.mark.parametrize(
    ("draft", "namespace", "tags"),
    [
        (lambda: iso.build_camt110(PAY, msg_id="M", investigation_type="RQFI", sub_type="SANC"), "camt.110.001.01",
         {"InvstgtnTp": "RQFI", "InvstgtnSubTp": "SANC", "OrgnlUETR": PAY.uetr}),
        (lambda: iso.build_camt111(PAY, msg_id="M", status="RJCT", reason_code="NOOR", investigation_type="CCNR"),
         "camt.111.001.01",
         {"Sts": "RJCT", "OrgnlEndToEndId": "E2E-TEST000001"}),
        (lambda: iso.build_pacs004(PAY, msg_id="M", reason_code="AM05", return_amount=Decimal("10")), "pacs.004.001.11",
         {"RtrdIntrBkSttlmAmt": "10.00", "OrgnlUETR": PAY.uetr}),
    ],
)  # fmt: skip
def test_drafts_validate_and_have_key_elements(draft, namespace: str, tags: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    built = draft()
    assert built.xsd_validated is True and built.message_type == namespace
    assert iso.validate_xml(namespace[:8], built.xml) == []
    assert f"urn:iso:std:iso:20022:tech:xsd:{namespace}" in built.xml
    for tag, value in tags.items():
        assert value in "".join(_text(built.xml, tag)) or any(value in t for t in _text(built.xml, "Cd")), tag


def test_validate_xml_refuses_entities() -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>'
    )
    errors = iso.validate_xml("camt.056", evil)
    assert errors  # not a camt.056, and the entity was not expanded
    kinds = ("camt.056", "camt.029", "camt.110", "camt.111", "pacs.004", "pacs.028")
    assert all(iso.xsd_available(kind) for kind in kinds)
