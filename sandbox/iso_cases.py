"""Swift Case Management messages: camt.110 InvestigationRequest and camt.111 InvestigationResponse.

Requester and responder come from sandbox/routing.py (CONR, UTAP and RQFI are raised by the creditor side;
the debtor side answers them with camt.111). Free text goes to ``AddtlReqData/ReqNrrtv`` (camt.110) and
``RspnData/RspnNrrtv`` (camt.111); value-date claims carry their dates in ``ReqdValtn`` / ``ReqdCompstn``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from sandbox import codesets, routing
from sandbox.iso_xml import (
    MAX35,
    MAX500,
    MessageDraft,
    OriginalPayment,
    XsdValidationError,
    amount,
    cap,
    code,
    finish,
    party_agent,
    path,
    root,
    sub,
    underlying_interbank,
)

_TYPE = "InvstgtnReq/InvstgtnTp/Cd"
_REASON = "InvstgtnData/Rsn/Cd"


def _reason(investigation_type: str, reason_code: str | None) -> str:
    reason = reason_code or codesets.reasons_for(investigation_type)[0]
    try:
        return codesets.check_reason(investigation_type, reason)
    except codesets.CodeSetError as exc:
        raise XsdValidationError(str(exc)) from None


def _value_date_claim(
    data: etree._Element,
    pay: OriginalPayment,
    correct: date,
    compensation: Decimal | None,
    currency: str | None,
) -> None:
    """Compensation for the days between the correct and the given value date, else a value-date correction."""
    extra = sub(data, "AddtlReqData")
    if compensation is not None:
        req = sub(extra, "ReqdCompstn")
        prd = sub(req, "Prd")
        sub(prd, "FrDt", correct.isoformat())
        sub(prd, "ToDt", (pay.value_date or correct).isoformat())
        sub(req, "Amt", amount(compensation), Ccy=currency or pay.currency)
    else:
        prd = path(extra, "ReqdValtn/Prd")
        sub(prd, "CurValDt", (pay.value_date or correct).isoformat())
        sub(prd, "ReqdValDt", correct.isoformat())


def build_camt110(
    pay: OriginalPayment,
    *,
    msg_id: str,
    investigation_type: str,
    sub_type: str | None = None,
    reason_code: str | None = None,
    reason_sub_type: str | None = None,
    additional_info: str | None = None,
    requester_bic: str | None = None,
    responder_bic: str | None = None,
    correct_value_date: date | None = None,
    compensation_amount: Decimal | None = None,
    compensation_currency: str | None = None,
) -> MessageDraft:
    """InvestigationRequest from the requester to the responder of ``investigation_type`` (routing table)."""
    requester, responder = routing.parties(
        pay, investigation_type, requester_bic=requester_bic, responder_bic=responder_bic
    )
    doc, top = root("camt.110", "InvstgtnReq")
    req = sub(top, "InvstgtnReq")
    sub(req, "MsgId", cap(msg_id, MAX35))
    sub(req, "RqstrInvstgtnId", cap(f"INV-{msg_id}", MAX35))
    code(req, "InvstgtnTp/Cd", "camt.110", _TYPE, investigation_type)
    if sub_type:
        code(req, "InvstgtnSubTp/Cd", "camt.110", "InvstgtnReq/InvstgtnSubTp/Cd", sub_type)
    underlying_interbank(req, pay)
    party_agent(req, "Rqstr", requester)
    party_agent(req, "Rspndr", responder)
    data = sub(top, "InvstgtnData")
    code(data, "Rsn/Cd", "camt.110", _REASON, _reason(investigation_type, reason_code))
    if reason_sub_type:
        code(data, "RsnSubTp/Cd", "camt.110", "InvstgtnData/RsnSubTp/Cd", reason_sub_type)
    narrative = cap(additional_info, MAX500)
    if investigation_type == "RQVA" and correct_value_date is not None:
        _value_date_claim(data, pay, correct_value_date, compensation_amount, compensation_currency)
        if narrative:  # AddtlReqData is a choice: the narrative goes in a second record
            more = sub(top, "InvstgtnData")
            sub(more, "Seq", "2")
            code(more, "Rsn/Cd", "camt.110", _REASON, "NARR")
            path(more, "AddtlReqData/ReqNrrtv", narrative)
    elif narrative:
        path(data, "AddtlReqData/ReqNrrtv", narrative)
    return finish("camt.110", doc)


def build_camt111(
    pay: OriginalPayment,
    *,
    msg_id: str,
    status: str,
    investigation_type: str,
    reason_code: str | None = None,
    additional_info: str | None = None,
    original_msg_id: str | None = None,
    requester_bic: str | None = None,
    responder_bic: str | None = None,
) -> MessageDraft:
    """InvestigationResponse (CLSD / PDNG / RJCT) from the responder of the original camt.110 to its requester.

    ``original_msg_id`` is the MsgId of the camt.110 answered; ``NOTPROVIDED`` when it is not known.
    """
    requester, responder = routing.parties(
        pay, investigation_type, requester_bic=requester_bic, responder_bic=responder_bic
    )
    doc, top = root("camt.111", "InvstgtnRspn")
    rsp = sub(top, "InvstgtnRspn")
    sub(rsp, "MsgId", cap(msg_id, MAX35))
    sub(rsp, "RspndrInvstgtnId", cap(f"RSP-{msg_id}", MAX35))
    sts = sub(rsp, "InvstgtnSts")
    code(sts, "Sts", "camt.111", "InvstgtnRspn/InvstgtnSts/Sts", status)
    if reason_code:
        code(sts, "StsRsn/Cd", "camt.111", "InvstgtnRspn/InvstgtnSts/StsRsn/Cd", reason_code)
    if narrative := cap(additional_info, MAX500):
        path(rsp, "InvstgtnData/RspnData/RspnNrrtv", narrative)
    org = sub(top, "OrgnlInvstgtnReq")
    sub(org, "MsgId", cap(original_msg_id, MAX35) or "NOTPROVIDED")
    code(org, "InvstgtnTp/Cd", "camt.111", "OrgnlInvstgtnReq/InvstgtnTp/Cd", investigation_type)
    underlying_interbank(org, pay)
    party_agent(org, "Rqstr", requester)
    party_agent(org, "Rspndr", responder)
    return finish("camt.111", doc)
