"""Shared vocabulary of payment investigations: case types, identifier patterns, action kinds.

Every area (data generator, SOP front matter, agent, evals) uses these names, so they are defined once.
"""

from __future__ import annotations

import re
from enum import StrEnum


class CaseType(StrEnum):
    """The investigation case types of DOMAIN.md."""

    CLAIM_NON_RECEIPT = "claim_non_receipt"  # camt.110 CCNR
    MISSING_COVER = "missing_cover"  # camt.110 CONR, G004
    CANCELLATION_RECALL = "cancellation_recall"  # camt.056 / camt.029
    RETURN_OF_FUNDS = "return_of_funds"  # pacs.004
    AMENDMENT = "amendment"  # camt.087
    UNABLE_TO_APPLY = "unable_to_apply"  # camt.110 UTAP
    DUPLICATE = "duplicate"  # camt.056 DUPL
    CHARGES = "charges"  # camt.110 RQCH
    VALUE_DATE = "value_date"  # camt.110 RQVA, compensation
    COMPLIANCE_HOLD = "compliance_hold"  # camt.110 RQFI, G003
    WRONG_BENEFICIARY = "wrong_beneficiary"  # camt.056 AC03/CUST, VoP
    FRAUD_RECALL = "fraud_recall"  # camt.056 FRAD/UAPA, APP reimbursement
    STATUS_CHASER = "status_chaser"  # pacs.028
    GENERAL = "general"  # a procedural question not tied to one payment


# SOP section titles that say what a procedure is about, never what to do: neither the agent's searches nor the
# case type's own procedure listing return them.
ABOUT_SECTION_TITLES = frozenset({"purpose", "scope"})


CASE_TYPE_DESCRIPTIONS: dict[CaseType, str] = {
    CaseType.CLAIM_NON_RECEIPT: "beneficiary says the payment was never credited",
    CaseType.MISSING_COVER: "an agent has not received the cover funds for a payment",
    CaseType.CANCELLATION_RECALL: "the sender wants a payment cancelled or recalled",
    CaseType.RETURN_OF_FUNDS: "funds must be returned to the sender (pacs.004)",
    CaseType.AMENDMENT: "a detail of a sent payment must be changed",
    CaseType.UNABLE_TO_APPLY: "the receiving bank cannot apply the payment (missing or wrong details)",
    CaseType.DUPLICATE: "the same payment was sent twice",
    CaseType.CHARGES: "a query or dispute about charges deducted",
    CaseType.VALUE_DATE: "a wrong value date and interest compensation",
    CaseType.COMPLIANCE_HOLD: "a payment held for sanctions/AML screening or a request for information",
    CaseType.WRONG_BENEFICIARY: "the payment went to the wrong beneficiary or account",
    CaseType.FRAUD_RECALL: "fraud or an authorised push payment scam; recall and reimbursement",
    CaseType.STATUS_CHASER: "the sender asks where a payment is",
    CaseType.GENERAL: "a procedural question not tied to one payment",
}


class ActionKind(StrEnum):
    """Write actions. Each one runs only after a human approval (four-eyes)."""

    RECALL = "recall"  # camt.056 with a cancellation reason code
    INVESTIGATION = "investigation"  # camt.110 with type and sub-type
    INVESTIGATION_ANSWER = "investigation_answer"  # camt.029 / camt.111
    RETURN_FUNDS = "return_funds"  # pacs.004 with a return reason code
    RELEASE_HOLD = "release_hold"
    REQUEST_INFO = "request_info"  # request information from the payee / creditor side
    OPEN_CASE = "open_case"
    CLOSE_CASE = "close_case"  # with a resolution code
    ESCALATE = "escalate"


class ProposalStatus(StrEnum):
    """Where a proposed action is in the four-eyes flow (agent, web app and evals share these)."""

    PROPOSED = "proposed"  # drafted by the agent, not yet submitted by the analyst
    SUBMITTED = "submitted"  # waiting for a supervisor
    EDITED = "edited"  # a supervisor changed the arguments; waiting for a decision on the new revision
    APPROVED = "approved"  # approved, not executed yet
    REJECTED = "rejected"
    EXECUTED = "executed"
    FAILED = "failed"  # approved but the payments API refused or failed


# Stored as plain strings: the database and JSON see the values.
PENDING_STATUSES: tuple[str, ...] = (ProposalStatus.SUBMITTED.value, ProposalStatus.EDITED.value)
FINAL_STATUSES: tuple[str, ...] = tuple(
    s.value
    for s in (
        ProposalStatus.APPROVED,
        ProposalStatus.REJECTED,
        ProposalStatus.EXECUTED,
        ProposalStatus.FAILED,
    )
)


# Identifier patterns (used by intake extraction, API validation and planner JSON schemas).
UETR_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
PAYMENT_ID_PATTERN = r"PAY-[0-9]{8}"
E2E_ID_PATTERN = r"E2E-[A-Z0-9]{6,28}"
CASE_ID_PATTERN = r"CASE-[0-9]{6}"
BIC_PATTERN = r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"
IBAN_PATTERN = r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}"
CURRENCY_PATTERN = r"[A-Z]{3}"

UETR_RE = re.compile(rf"\b{UETR_PATTERN}\b", re.IGNORECASE)
PAYMENT_ID_RE = re.compile(rf"\b{PAYMENT_ID_PATTERN}\b")
E2E_ID_RE = re.compile(rf"\b{E2E_ID_PATTERN}\b")
CASE_ID_RE = re.compile(rf"\b{CASE_ID_PATTERN}\b")
# Any payment reference the API resolves: UETR, internal payment id or EndToEndId.
PAYMENT_REFERENCE_PATTERN = rf"(?:{UETR_PATTERN}|{PAYMENT_ID_PATTERN}|{E2E_ID_PATTERN})"
