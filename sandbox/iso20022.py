"""ISO 20022 message drafts: camt.056 recall, camt.029 resolution, pacs.004 return, pacs.028 status request.

camt.110 / camt.111 (Swift Case Management) are built in sandbox/iso_cases.py and re-exported here. Who sends
each message to whom follows docs/iso20022.md: a recall goes to the *next* agent in the chain, an answer or a
return to the *previous* one, never straight to the end of the chain. Every draft is validated against its
vendored XSD (sandbox/iso_xml.py) and every code against its element's ISO code set (sandbox/codesets.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sandbox.iso_cases import build_camt110, build_camt111
from sandbox.iso_xml import (
    MAX35,
    MAX105,
    MAX500,
    MessageDraft,
    OriginalPayment,
    XsdValidationError,
    agent,
    amount,
    cap,
    code,
    finish,
    now,
    original_ids,
    path,
    root,
    sub,
    validate_xml,
    xsd_available,
)

__all__ = [
    "MAX35",
    "MAX105",
    "MAX500",
    "MessageDraft",
    "OriginalPayment",
    "XsdValidationError",
    "build_camt029",
    "build_camt056",
    "build_camt110",
    "build_camt111",
    "build_pacs004",
    "build_pacs028",
    "cap",
    "validate_xml",
    "xsd_available",
]


def _assignment(parent: object, msg_id: str, assigner: str, assignee: str, created: str) -> None:
    asg = sub(parent, "Assgnmt")  # type: ignore[arg-type]
    sub(asg, "Id", cap(msg_id, MAX35))
    agent(path(asg, "Assgnr"), "Agt", assigner)
    agent(path(asg, "Assgne"), "Agt", assignee)
    sub(asg, "CreDtTm", created)


def build_camt056(
    pay: OriginalPayment,
    *,
    msg_id: str,
    reason_code: str,
    additional_info: str | None = None,
    case_id: str | None = None,
    created_at: datetime | None = None,
    assigner_bic: str | None = None,
    assignee_bic: str | None = None,
) -> MessageDraft:
    """FIToFIPaymentCancellationRequest (recall): from the assigner (default the debtor agent) to the next
    agent in the chain, who forwards it if it no longer holds the funds."""
    assigner = assigner_bic or pay.debtor_agent_bic
    assignee = assignee_bic or pay.next_agent(assigner)
    doc, top = root("camt.056", "FIToFIPmtCxlReq")
    _assignment(top, msg_id, assigner, assignee, now(created_at))
    if case_id:
        case = sub(top, "Case")
        sub(case, "Id", cap(case_id, MAX35))
        agent(path(case, "Cretr"), "Agt", assigner)
    tx = path(top, "Undrlyg/TxInf")
    sub(tx, "CxlId", cap(f"CXL-{msg_id}", MAX35))
    original_ids(tx, pay)
    if pay.uetr:
        sub(tx, "OrgnlUETR", pay.uetr.lower())
    sub(tx, "OrgnlIntrBkSttlmAmt", amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        sub(tx, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    rsn = sub(tx, "CxlRsnInf")
    code(rsn, "Rsn/Cd", "camt.056", "Undrlyg/TxInf/CxlRsnInf/Rsn/Cd", reason_code)
    if info := cap(additional_info, MAX105):
        sub(rsn, "AddtlInf", info)
    return finish("camt.056", doc)


# camt.029 Sts/Conf -> TxCxlSts (CancellationIndividualStatus1Code is RJCR | ACCR | PDCR). A partially executed
# cancellation (PECR) accepted the cancellation of this transaction for part of its amount: ACCR.
_TX_CXL_STS = {"CNCL": "ACCR", "RJCR": "RJCR", "PDCR": "PDCR", "PECR": "ACCR"}


def build_camt029(
    pay: OriginalPayment,
    *,
    msg_id: str,
    status: str,
    reason_code: str | None = None,
    additional_info: str | None = None,
    case_id: str | None = None,
    created_at: datetime | None = None,
    assigner_bic: str | None = None,
    assignee_bic: str | None = None,
) -> MessageDraft:
    """ResolutionOfInvestigation answering a cancellation request: from the agent that received the camt.056
    (default the creditor agent) back to the agent it came from (the previous agent in the chain)."""
    assigner = assigner_bic or pay.creditor_agent_bic
    assignee = assignee_bic or pay.previous_agent(assigner)
    doc, top = root("camt.029", "RsltnOfInvstgtn")
    _assignment(top, msg_id, assigner, assignee, now(created_at))
    if case_id:
        case = sub(top, "RslvdCase")
        sub(case, "Id", cap(case_id, MAX35))
        agent(path(case, "Cretr"), "Agt", pay.debtor_agent_bic)
    code(top, "Sts/Conf", "camt.029", "Sts/Conf", status)
    tx = path(top, "CxlDtls/TxInfAndSts")
    original_ids(tx, pay)
    if pay.uetr:
        sub(tx, "OrgnlUETR", pay.uetr.lower())
    sub(tx, "TxCxlSts", _TX_CXL_STS[status])
    if reason_code or additional_info:
        rsn = sub(tx, "CxlStsRsnInf")
        if reason_code:
            code(rsn, "Rsn/Cd", "camt.029", "CxlDtls/TxInfAndSts/CxlStsRsnInf/Rsn/Cd", reason_code)
        if info := cap(additional_info, MAX105):
            sub(rsn, "AddtlInf", info)
    sub(tx, "OrgnlIntrBkSttlmAmt", amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        sub(tx, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    return finish("camt.029", doc)


def build_pacs004(
    pay: OriginalPayment,
    *,
    msg_id: str,
    reason_code: str,
    return_amount: Decimal | None = None,
    additional_info: str | None = None,
    created_at: datetime | None = None,
    settlement_date: date | None = None,
    returning_bic: str | None = None,
) -> MessageDraft:
    """PaymentReturn of (part of) the amount received: from the returning agent (default the creditor agent)
    to the agent it received the payment from (the previous agent in the chain)."""
    instructing = returning_bic or pay.creditor_agent_bic
    doc, top = root("pacs.004", "PmtRtr")
    hdr = sub(top, "GrpHdr")
    sub(hdr, "MsgId", cap(msg_id, MAX35))
    sub(hdr, "CreDtTm", now(created_at))
    sub(hdr, "NbOfTxs", "1")
    path(hdr, "SttlmInf/SttlmMtd", "INDA")
    tx = sub(top, "TxInf")
    sub(tx, "RtrId", cap(f"RTR-{msg_id}", MAX35))
    original_ids(tx, pay)
    if pay.uetr:
        sub(tx, "OrgnlUETR", pay.uetr.lower())
    sub(tx, "OrgnlIntrBkSttlmAmt", amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        sub(tx, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    sub(tx, "RtrdIntrBkSttlmAmt", amount(return_amount or pay.amount), Ccy=pay.currency)
    sub(tx, "IntrBkSttlmDt", (settlement_date or date.today()).isoformat())
    agent(tx, "InstgAgt", instructing)
    agent(tx, "InstdAgt", pay.previous_agent(instructing))
    rsn = sub(tx, "RtrRsnInf")
    code(rsn, "Rsn/Cd", "pacs.004", "TxInf/RtrRsnInf/Rsn/Cd", reason_code)
    if info := cap(additional_info, MAX105):
        sub(rsn, "AddtlInf", info)
    return finish("pacs.004", doc)


def build_pacs028(
    pay: OriginalPayment,
    *,
    msg_id: str,
    requester_bic: str | None = None,
    responder_bic: str | None = None,
    created_at: datetime | None = None,
) -> MessageDraft:
    """FIToFIPaymentStatusRequest (a status chaser): from the requester (default the debtor agent) to the agent
    asked (default the next agent). The vendored schema is a reduced one without OrgnlUETR (see xsd/README.md),
    so the payment is identified by its original message id, end-to-end id and transaction id."""
    requester = requester_bic or pay.debtor_agent_bic
    doc, top = root("pacs.028", "FIToFIPmtStsReq")
    hdr = sub(top, "GrpHdr")
    sub(hdr, "MsgId", cap(msg_id, MAX35))
    sub(hdr, "CreDtTm", now(created_at))
    agent(hdr, "InstgAgt", requester)
    agent(hdr, "InstdAgt", responder_bic or pay.next_agent(requester))
    if pay.msg_id:
        grp = sub(top, "OrgnlGrpInf")
        sub(grp, "OrgnlMsgId", cap(pay.msg_id, MAX35))
        sub(grp, "OrgnlMsgNmId", "pacs.008.001.08")
    tx = sub(top, "TxInf")
    if pay.end_to_end_id:
        sub(tx, "OrgnlEndToEndId", cap(pay.end_to_end_id, MAX35))
    if pay.tx_id:
        sub(tx, "OrgnlTxId", cap(pay.tx_id, MAX35))
    return finish("pacs.028", doc)
