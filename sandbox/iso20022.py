"""ISO 20022 message drafts (camt.056, camt.029, camt.110, camt.111, pacs.004) built with lxml.

camt.056.001.12 and camt.029.001.14 are validated against the XSDs shipped in the ``camt-exceptions``
package; the other messages have no XSD available here and say so with ``xsd_validated: false``.
Untrusted text only ever enters the XML as element text (lxml escapes it) and is capped to the schema length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from lxml import etree

_NS = {
    "camt.056": "urn:iso:std:iso:20022:tech:xsd:camt.056.001.12",
    "camt.029": "urn:iso:std:iso:20022:tech:xsd:camt.029.001.14",
    "camt.110": "urn:iso:std:iso:20022:tech:xsd:camt.110.001.01",
    "camt.111": "urn:iso:std:iso:20022:tech:xsd:camt.111.001.01",
    "pacs.004": "urn:iso:std:iso:20022:tech:xsd:pacs.004.001.11",
}
_XSD_FILES = {"camt.056": "camt.056.001.12", "camt.029": "camt.029.001.14"}
MAX35 = 35
MAX105 = 105  # AddtlInf in the cancellation reason / status reason blocks
MAX500 = 500


@dataclass(frozen=True)
class OriginalPayment:
    """The identifiers of the underlying payment that every exception message quotes."""

    payment_id: str
    uetr: str | None
    end_to_end_id: str | None
    amount: Decimal
    currency: str
    settlement_date: date | None
    debtor_agent_bic: str
    creditor_agent_bic: str
    tx_id: str | None = None
    instr_id: str | None = None


@dataclass
class MessageDraft:
    """A built message: its type, XML text and XSD validation outcome."""

    message_type: str
    xml: str
    xsd_validated: bool
    xsd_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form used in API responses."""
        return {
            "message_type": self.message_type,
            "xml": self.xml,
            "xsd_validated": self.xsd_validated,
            "xsd_errors": self.xsd_errors,
        }


class XsdValidationError(ValueError):
    """A message that must validate against its XSD did not."""


def cap(text: str | None, limit: int) -> str | None:
    """Collapse whitespace, drop control characters and cut ``text`` to ``limit`` characters."""
    if text is None:
        return None
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    cleaned = " ".join(cleaned.split())
    return cleaned[:limit] or None


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _path(parent: etree._Element, tags: str, text: str | None = None) -> etree._Element:
    """Create a chain of nested elements ``A/B/C`` and set the text of the last one."""
    el = parent
    for tag in tags.split("/"):
        el = _sub(el, tag)
    if text is not None:
        el.text = text
    return el


def _agent(parent: etree._Element, tag: str, bic: str) -> None:
    _path(parent, f"{tag}/Agt/FinInstnId/BICFI", bic)


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _now(created_at: datetime | None) -> str:
    return (created_at or datetime.now(UTC)).replace(microsecond=0).isoformat()


def _root(kind: str, top: str) -> tuple[etree._Element, etree._Element]:
    ns = _NS[kind]
    doc = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    return doc, _sub(doc, top)


def _assignment(parent: etree._Element, msg_id: str, assigner: str, assignee: str, created: str) -> None:
    asg = _sub(parent, "Assgnmt")
    _sub(asg, "Id", cap(msg_id, MAX35))
    _agent(asg, "Assgnr", assigner)
    _agent(asg, "Assgne", assignee)
    _sub(asg, "CreDtTm", created)


def _original_ids(parent: etree._Element, pay: OriginalPayment, *, with_tx: bool = True) -> None:
    if pay.instr_id:
        _sub(parent, "OrgnlInstrId", cap(pay.instr_id, MAX35))
    if pay.end_to_end_id:
        _sub(parent, "OrgnlEndToEndId", cap(pay.end_to_end_id, MAX35))
    if with_tx and pay.tx_id:
        _sub(parent, "OrgnlTxId", cap(pay.tx_id, MAX35))


def build_camt056(
    pay: OriginalPayment,
    *,
    msg_id: str,
    reason_code: str,
    additional_info: str | None = None,
    case_id: str | None = None,
    created_at: datetime | None = None,
) -> MessageDraft:
    """FIToFIPaymentCancellationRequest (recall) from the debtor agent to the creditor agent."""
    doc, top = _root("camt.056", "FIToFIPmtCxlReq")
    _assignment(top, msg_id, pay.debtor_agent_bic, pay.creditor_agent_bic, _now(created_at))
    if case_id:
        case = _sub(top, "Case")
        _sub(case, "Id", cap(case_id, MAX35))
        _agent(case, "Cretr", pay.debtor_agent_bic)
    tx = _path(top, "Undrlyg/TxInf")
    _sub(tx, "CxlId", cap(f"CXL-{msg_id}", MAX35))
    _original_ids(tx, pay)
    if pay.uetr:
        _sub(tx, "OrgnlUETR", pay.uetr.lower())
    _sub(tx, "OrgnlIntrBkSttlmAmt", _amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        _sub(tx, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    rsn = _sub(tx, "CxlRsnInf")
    _path(rsn, "Rsn/Cd", reason_code)
    if info := cap(additional_info, MAX105):
        _sub(rsn, "AddtlInf", info)
    return _finish("camt.056", doc)


# camt.029 Conf code -> transaction cancellation status (CancellationIndividualStatus1Code).
_TX_CXL_STS = {"CNCL": "ACCR", "RJCR": "RJCR", "PDCR": "PDCR", "PECR": "PACR", "IDUP": "ACCR"}


def build_camt029(
    pay: OriginalPayment,
    *,
    msg_id: str,
    status: str,
    reason_code: str | None = None,
    additional_info: str | None = None,
    case_id: str | None = None,
    created_at: datetime | None = None,
) -> MessageDraft:
    """ResolutionOfInvestigation answering a cancellation request (creditor agent to debtor agent)."""
    doc, top = _root("camt.029", "RsltnOfInvstgtn")
    _assignment(top, msg_id, pay.creditor_agent_bic, pay.debtor_agent_bic, _now(created_at))
    if case_id:
        case = _sub(top, "RslvdCase")
        _sub(case, "Id", cap(case_id, MAX35))
        _agent(case, "Cretr", pay.debtor_agent_bic)
    _path(top, "Sts/Conf", status)
    tx = _path(top, "CxlDtls/TxInfAndSts")
    _original_ids(tx, pay)
    if pay.uetr:
        _sub(tx, "OrgnlUETR", pay.uetr.lower())
    if status in _TX_CXL_STS:
        _sub(tx, "TxCxlSts", _TX_CXL_STS[status])
    if reason_code or additional_info:
        rsn = _sub(tx, "CxlStsRsnInf")
        if reason_code:
            _path(rsn, "Rsn/Cd", reason_code)
        if info := cap(additional_info, MAX105):
            _sub(rsn, "AddtlInf", info)
    _sub(tx, "OrgnlIntrBkSttlmAmt", _amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        _sub(tx, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    return _finish("camt.029", doc)


def build_camt110(
    pay: OriginalPayment,
    *,
    msg_id: str,
    investigation_type: str,
    sub_type: str | None = None,
    reason_code: str | None = None,
    additional_info: str | None = None,
    responder_bic: str | None = None,
) -> MessageDraft:
    """InvestigationRequest (Swift Case Management) from the debtor agent to the responder."""
    doc, top = _root("camt.110", "InvstgtnReq")
    req = _sub(top, "InvstgtnReq")
    _sub(req, "MsgId", cap(msg_id, MAX35))
    _sub(req, "RqstrInvstgtnId", cap(f"INV-{msg_id}", MAX35))
    _path(req, "InvstgtnTp/Cd", investigation_type)
    if sub_type:
        _path(req, "InvstgtnSubTp/Cd", sub_type)
    intr = _path(req, "Undrlyg/IntrBk")
    _original_ids(intr, pay)
    if pay.uetr:
        _sub(intr, "OrgnlUETR", pay.uetr.lower())
    _sub(intr, "OrgnlIntrBkSttlmAmt", _amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        _sub(intr, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())
    _path(req, "Rqstr/Agt/FinInstnId/BICFI", pay.debtor_agent_bic)
    _path(req, "Rspndr/Agt/FinInstnId/BICFI", responder_bic or pay.creditor_agent_bic)
    data = _sub(top, "InvstgtnData")
    if reason_code:
        _path(data, "InvstgtnRsn/Cd", reason_code)
    _sub(data, "AddtlInf", cap(additional_info, MAX500) or "Investigation requested")
    return _finish("camt.110", doc)


def build_camt111(
    pay: OriginalPayment,
    *,
    msg_id: str,
    status: str,
    reason_code: str | None = None,
    additional_info: str | None = None,
    created_at: datetime | None = None,
) -> MessageDraft:
    """InvestigationResponse (CLSD / PDNG / RJCT) from the creditor agent to the requester."""
    doc, top = _root("camt.111", "InvstgtnRspn")
    rsp = _sub(top, "InvstgtnRspn")
    _sub(rsp, "MsgId", cap(msg_id, MAX35))
    _sub(rsp, "RspndrInvstgtnId", cap(f"RSP-{msg_id}", MAX35))
    sts = _sub(rsp, "InvstgtnSts")
    _sub(sts, "Sts", status)
    if reason_code:
        _path(sts, "StsRsn/Cd", reason_code)
    _path(rsp, "Rqstr/Agt/FinInstnId/BICFI", pay.debtor_agent_bic)
    _path(rsp, "Rspndr/Agt/FinInstnId/BICFI", pay.creditor_agent_bic)
    intr = _path(rsp, "Undrlyg/IntrBk")
    _original_ids(intr, pay)
    if pay.uetr:
        _sub(intr, "OrgnlUETR", pay.uetr.lower())
    data = _sub(top, "RspnData")
    _sub(data, "AddtlInf", cap(additional_info, MAX500) or status)
    _sub(data, "CreDtTm", _now(created_at))
    return _finish("camt.111", doc)


def build_pacs004(
    pay: OriginalPayment,
    *,
    msg_id: str,
    reason_code: str,
    return_amount: Decimal | None = None,
    additional_info: str | None = None,
    created_at: datetime | None = None,
    settlement_date: date | None = None,
) -> MessageDraft:
    """PaymentReturn of (part of) the original amount from the creditor agent back to the debtor agent."""
    doc, top = _root("pacs.004", "PmtRtr")
    hdr = _sub(top, "GrpHdr")
    _sub(hdr, "MsgId", cap(msg_id, MAX35))
    _sub(hdr, "CreDtTm", _now(created_at))
    _sub(hdr, "NbOfTxs", "1")
    _path(hdr, "SttlmInf/SttlmMtd", "INDA")
    tx = _sub(top, "TxInf")
    _sub(tx, "RtrId", cap(f"RTR-{msg_id}", MAX35))
    _original_ids(tx, pay)
    if pay.uetr:
        _sub(tx, "OrgnlUETR", pay.uetr.lower())
    _sub(tx, "OrgnlIntrBkSttlmAmt", _amount(pay.amount), Ccy=pay.currency)
    _sub(tx, "RtrdIntrBkSttlmAmt", _amount(return_amount or pay.amount), Ccy=pay.currency)
    _sub(tx, "IntrBkSttlmDt", (settlement_date or date.today()).isoformat())
    _path(tx, "InstgAgt/FinInstnId/BICFI", pay.creditor_agent_bic)
    _path(tx, "InstdAgt/FinInstnId/BICFI", pay.debtor_agent_bic)
    rsn = _sub(tx, "RtrRsnInf")
    _path(rsn, "Rsn/Cd", reason_code)
    if info := cap(additional_info, MAX105):
        _sub(rsn, "AddtlInf", info)
    return _finish("pacs.004", doc)


@lru_cache(maxsize=4)
def _schema(kind: str) -> etree.XMLSchema | None:
    spec = find_spec("camt_exceptions")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = _XSD_FILES[kind]
    path = Path(next(iter(spec.submodule_search_locations))) / "templates" / name / f"{name}.xsd"
    if not path.is_file():
        return None
    return etree.XMLSchema(etree.parse(str(path)))


def xsd_available(kind: str) -> bool:
    """Whether an official XSD for ``kind`` (e.g. ``camt.056``) is installed."""
    return kind in _XSD_FILES and _schema(kind) is not None


def _finish(kind: str, doc: etree._Element) -> MessageDraft:
    xml = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()
    if kind not in _XSD_FILES:
        return MessageDraft(message_type=_NS[kind].rsplit(":", 1)[-1], xml=xml, xsd_validated=False)
    schema = _schema(kind)
    if schema is None:
        return MessageDraft(message_type=_NS[kind].rsplit(":", 1)[-1], xml=xml, xsd_validated=False)
    if not schema.validate(doc):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise XsdValidationError("; ".join(errors[:5]))
    return MessageDraft(message_type=_NS[kind].rsplit(":", 1)[-1], xml=xml, xsd_validated=True)


def validate_xml(kind: str, xml: str) -> list[str]:
    """Validate XML text against the XSD of ``kind``; returns the error messages (empty when valid)."""
    schema = _schema(kind)
    if schema is None:
        raise LookupError(f"no XSD installed for {kind}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(xml.encode(), parser)
    return [] if schema.validate(doc) else [e.message for e in schema.error_log]
