"""ISO 20022 code sets the write actions accept (DOMAIN.md), as enums so bad codes are refused early."""

from __future__ import annotations

from enum import StrEnum


class CancellationReason(StrEnum):
    """camt.056 cancellation reasons."""

    DUPL = "DUPL"  # duplicate payment
    FRAD = "FRAD"  # fraudulent origin
    CUST = "CUST"  # requested by the customer
    AGNT = "AGNT"  # incorrect agent
    AM09 = "AM09"  # wrong amount
    AC03 = "AC03"  # wrong creditor account
    TECH = "TECH"  # technical problem
    CURR = "CURR"  # incorrect currency
    UPAY = "UPAY"  # undue payment
    UAPA = "UAPA"  # unauthorised / APP scam


class InvestigationType(StrEnum):
    """camt.110 investigation types."""

    ACCT = "ACCT"
    CCNR = "CCNR"  # claim non-receipt
    CONR = "CONR"  # cover not received
    OTHR = "OTHR"
    PINC = "PINC"
    RIMF = "RIMF"
    RQCH = "RQCH"  # charges
    RQDA = "RQDA"
    RQFI = "RQFI"  # request for information (needs a sub-type)
    RQUF = "RQUF"
    RQVA = "RQVA"  # value date
    UTAP = "UTAP"  # unable to apply


class RfiSubType(StrEnum):
    """camt.110 RQFI sub-types."""

    SANC = "SANC"
    AMLI = "AMLI"
    FCCI = "FCCI"
    FRAD = "FRAD"
    FWTR = "FWTR"


class InvestigationReason(StrEnum):
    """Reasons that qualify a camt.110 request (charges, RFI, value date, unable to apply)."""

    CHBE = "CHBE"
    CHIN = "CHIN"
    CTOR = "CTOR"
    DTOR = "DTOR"
    PURP = "PURP"
    RQDO = "RQDO"
    RQPR = "RQPR"
    RQSG = "RQSG"
    VADA = "VADA"
    MS12 = "MS12"
    MS13 = "MS13"
    MM20 = "MM20"
    MM34 = "MM34"


class RfiReason(StrEnum):
    """Reasons of a request for information to the creditor side."""

    CTOR = "CTOR"
    DTOR = "DTOR"
    PURP = "PURP"
    RQDO = "RQDO"
    RQPR = "RQPR"
    RQSG = "RQSG"


class AnswerMessage(StrEnum):
    """Message used to answer an investigation."""

    CAMT029 = "camt.029"
    CAMT111 = "camt.111"


CAMT029_STATUSES = ("CNCL", "RJCR", "PDCR", "PECR", "IDUP", "ACNR", "RJNR", "ACVA", "RJVA", "MODI")
CAMT111_STATUSES = ("CLSD", "PDNG", "RJCT")


class AnswerReason(StrEnum):
    """Rejection / status reasons of camt.029 and camt.111 answers."""

    AC04 = "AC04"
    ARDT = "ARDT"
    AM04 = "AM04"
    CUST = "CUST"
    LEGL = "LEGL"
    NOAS = "NOAS"
    NOOR = "NOOR"
    IDMN = "IDMN"
    RQDA = "RQDA"
    ARJT = "ARJT"
    RNPR = "RNPR"
    ADAC = "ADAC"
    AGNT = "AGNT"
    ARPL = "ARPL"
    ESCA = "ESCA"
    FTNA = "FTNA"
    NARR = "NARR"
    PARE = "PARE"
    RR04 = "RR04"
    CHRG = "CHRG"


class ReturnReason(StrEnum):
    """pacs.004 return reasons."""

    FOCR = "FOCR"
    AC01 = "AC01"
    AC04 = "AC04"
    AC06 = "AC06"
    BE01 = "BE01"
    AM05 = "AM05"
    FR01 = "FR01"
    MS03 = "MS03"
    RR01 = "RR01"
    RR02 = "RR02"
    RR03 = "RR03"
    RR04 = "RR04"
    RUTA = "RUTA"
    TM01 = "TM01"


class ResolutionCode(StrEnum):
    """Project resolution codes for closing a case (internal, not an ISO code set)."""

    CREDITED = "CRDT"  # payment confirmed credited
    RETURNED = "RTRN"  # funds returned
    RECALLED = "RCLD"  # cancelled / recalled
    REJECTED = "RJCT"  # request rejected by the counterparty
    INFO_PROVIDED = "INFO"  # information supplied, no money movement
    COMPENSATED = "COMP"  # compensation paid
    NO_ACTION = "NOAC"  # nothing to do
    DUPLICATE_CASE = "DUPL"  # duplicate of another case
    WITHDRAWN = "WDRN"  # withdrawn by the requester


class EscalationLevel(StrEnum):
    """Where an escalated case goes."""

    TEAM_LEAD = "team_lead"
    COMPLIANCE = "compliance"
    FRAUD = "fraud"
    MANAGEMENT = "management"
