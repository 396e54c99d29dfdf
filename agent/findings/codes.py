"""Plain meanings of the status and reason codes the findings explain (DOMAIN.md, ISO 20022 external codes)."""

from __future__ import annotations

STATUS_MEANING: dict[str, str] = {
    "ACSP": "accepted, settlement in process, not yet credited",
    "ACCC": "credited to the creditor's account",
    "RJCT": "rejected",
}

REASON_MEANING: dict[str, str] = {
    "G000": "forwarded to the next gpi agent",
    "G001": "forwarded to a non-gpi agent, so tracking may stop",
    "G002": "credit may not be confirmed the same day, often a repair or exception queue",
    "G003": "credit pending documents or information from the creditor side, a compliance hold",
    "G004": "credit pending cover funds",
    "G005": "delivered to the creditor agent with gpi service level",
    "G006": "delivered to the creditor agent without gpi service level",
    "AC01": "incorrect account number",
    "AC03": "invalid creditor account number",
    "AC04": "closed account number",
    "AC06": "blocked account",
    "AM04": "insufficient funds",
    "AM05": "duplication",
    "BE01": "name and account do not match",
    "FOCR": "return following a cancellation request",
    "FR01": "fraud",
    "MS03": "reason not specified",
    "RR01": "regulatory reason: debtor account or identification missing",
    "RR02": "regulatory reason: debtor name or address missing",
    "RR03": "regulatory reason: creditor name or address missing",
    "RR04": "regulatory reason",
    "TM01": "received after the cut-off time",
    "CUST": "requested by the customer",
    "UM05": "the settlement date can no longer be changed",
    "UM14": "the creditor account can no longer be changed",
    "UM17": "the charge bearer can no longer be changed",
    "UM21": "the receiver asks for a cancellation instead",
}

# camt.029 investigation statuses of the answer received on a case.
ANSWER_MEANING: dict[str, str] = {
    "CNCL": "cancellation accepted",
    "RJCR": "request rejected",
    "PDCR": "pending",
    "MODI": "modification accepted",
}


def status_words(status: str | None, reason: str | None) -> str:
    """``ACSP/G002 (credit may not be confirmed the same day …)`` style wording."""
    code = f"{status}/{reason}" if status and reason else str(status or reason or "unknown")
    meaning = REASON_MEANING.get(reason or "") or STATUS_MEANING.get(status or "")
    return f"{code} ({meaning})" if meaning else code


def answer_words(status: str | None, reason: str | None) -> str:
    """``Answer received: camt.029 RJCR (request rejected), reason UM14 (…).`` for a case's latest answer."""
    text = f"Answer received: camt.029 {status}"
    if ANSWER_MEANING.get(status or ""):
        text += f" ({ANSWER_MEANING[status or '']})"
    if reason:
        meaning = REASON_MEANING.get(reason)
        text += f", reason {reason}" + (f" ({meaning})" if meaning else "")
    return text + "."
