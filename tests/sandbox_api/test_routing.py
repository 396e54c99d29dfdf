"""Direction and routing: requester / responder per investigation type, next / previous agent in the chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from sandbox import iso20022 as iso
from sandbox import routing

PAY = iso.OriginalPayment(
    payment_id="PAY-00000001",
    uetr="0b2c5f0e-1234-4abc-8def-0123456789ab",
    end_to_end_id="E2E-TEST000001",
    amount=Decimal("100"),
    currency="USD",
    settlement_date=date(2026, 11, 2),
    debtor_agent_bic="DEUTDEFF",
    creditor_agent_bic="LAKEUS44",
    intermediary_bics=("CHASUS33", "HUDSUS33"),
    value_date=date(2026, 11, 4),
)


def _bic(xml: str, *tags: str) -> str:
    el = etree.fromstring(xml.encode())
    for tag in tags:
        el = next(e for e in el.iter() if etree.QName(e).localname == tag)
    return next(e.text for e in el.iter() if etree.QName(e).localname == "BICFI")


def test_recall_goes_to_the_next_agent_not_the_creditor_agent() -> None:
    xml = iso.build_camt056(PAY, msg_id="M", reason_code="DUPL").xml
    assert _bic(xml, "Assgnr") == "DEUTDEFF" and _bic(xml, "Assgne") == "CHASUS33"


def test_return_goes_to_the_previous_agent_not_the_debtor_agent() -> None:
    xml = iso.build_pacs004(PAY, msg_id="M", reason_code="AC04").xml
    assert _bic(xml, "InstgAgt") == "LAKEUS44" and _bic(xml, "InstdAgt") == "HUDSUS33"


def test_cancellation_answer_goes_back_one_hop() -> None:
    xml = iso.build_camt029(PAY, msg_id="M", status="RJCR", reason_code="CUST").xml
    assert _bic(xml, "Assgnr") == "LAKEUS44" and _bic(xml, "Assgne") == "HUDSUS33"


@pytest.mark.parametrize(
    ("kind", "requester", "responder"),
    [
        ("CCNR", "DEUTDEFF", "CHASUS33"),
        ("RQCH", "DEUTDEFF", "CHASUS33"),
        ("RQVA", "DEUTDEFF", "CHASUS33"),
        ("CONR", "LAKEUS44", "DEUTDEFF"),
        ("UTAP", "LAKEUS44", "HUDSUS33"),
        ("RQFI", "LAKEUS44", "HUDSUS33"),
    ],
)
def test_camt110_requester_and_responder_follow_the_table(kind: str, requester: str, responder: str) -> None:
    sub = "SANC" if kind == "RQFI" else None
    xml = iso.build_camt110(PAY, msg_id="M", investigation_type=kind, sub_type=sub).xml
    assert (_bic(xml, "Rqstr"), _bic(xml, "Rspndr")) == (requester, responder)
    assert routing.parties(PAY, kind) == (requester, responder)


def test_camt111_answers_the_bank_that_asked() -> None:
    xml = iso.build_camt111(PAY, msg_id="M", status="PDNG", investigation_type="CONR", reason_code="INPO").xml
    # the creditor agent asked (Rqstr) the agent that instructed it (Rspndr), who answers
    assert (_bic(xml, "OrgnlInvstgtnReq", "Rqstr"), _bic(xml, "OrgnlInvstgtnReq", "Rspndr")) == (
        "LAKEUS44",
        "DEUTDEFF",
    )
    xml = iso.build_camt111(PAY, msg_id="M", status="PDNG", investigation_type="UTAP", reason_code="ARPL").xml
    assert _bic(xml, "OrgnlInvstgtnReq", "Rspndr") == "HUDSUS33"
    assert "<MsgId>NOTPROVIDED</MsgId>" in xml


def test_interbank_settlement_date_is_quoted_not_the_value_date() -> None:
    xml = iso.build_camt056(PAY, msg_id="M", reason_code="DUPL").xml
    assert "<OrgnlIntrBkSttlmDt>2026-11-02</OrgnlIntrBkSttlmDt>" in xml and "2026-11-04" not in xml


def test_an_explicit_hop_wins() -> None:
    xml = iso.build_camt056(PAY, msg_id="M", reason_code="DUPL", assignee_bic="HUDSUS33").xml
    assert _bic(xml, "Assgne") == "HUDSUS33"
    xml = iso.build_pacs028(PAY, msg_id="M", responder_bic="LAKEUS44").xml
    assert _bic(xml, "InstdAgt") == "LAKEUS44"
