"""ISO 20022 codes the write actions accept, one enum per message element (checked against the ISO external
code sets by tests/sandbox_api/test_codesets.py; sandbox/codesets.py maps each element to its ISO set)."""

from __future__ import annotations

from enum import StrEnum


class CancellationReason(StrEnum):
    """camt.056 CxlRsnInf/Rsn/Cd (ExternalCancellationReason1Code)."""

    DUPL = "DUPL"  # duplicate payment
    FRAD = "FRAD"  # originated fraudulently, incl. authorised push payment (APP) scams
    CUST = "CUST"  # requested by the debtor
    AGNT = "AGNT"  # an agent in the payment workflow is incorrect
    AM09 = "AM09"  # amount not the amount agreed
    AC03 = "AC03"  # wrong creditor account
    TECH = "TECH"  # technical problem
    CURR = "CURR"  # incorrect currency
    UPAY = "UPAY"  # payment not justified
    UAPA = "UAPA"  # not properly authorised by the debtor: account takeover / compromised credentials


class InvestigationType(StrEnum):
    """camt.110 InvstgtnTp/Cd (ExternalInvestigationType1Code)."""

    ACCT = "ACCT"
    CCNR = "CCNR"  # creditor claims non-receipt (raised by the debtor side)
    CONR = "CONR"  # creditor agent claims non-receipt of cover (raised by the creditor agent)
    OTHR = "OTHR"
    PINC = "PINC"
    RIMF = "RIMF"
    RQCH = "RQCH"  # charges
    RQDA = "RQDA"
    RQFI = "RQFI"  # request for information (needs a sub-type; raised by the agent that needs it)
    RQUF = "RQUF"
    RQVA = "RQVA"  # value date / revaluation
    UTAP = "UTAP"  # unable to apply (raised by the creditor agent)


class RfiSubType(StrEnum):
    """camt.110 InvstgtnSubTp/Cd (ExternalInvestigationSubType1Code)."""

    SANC = "SANC"
    AMLI = "AMLI"
    FCCI = "FCCI"
    FRAD = "FRAD"
    FWTR = "FWTR"
    UTEX = "UTEX"


class InvestigationReason(StrEnum):
    """camt.110 InvstgtnData/Rsn/Cd (ExternalInvestigationReason1Code); which ones a type takes is
    ``sandbox.codesets.REASONS_BY_TYPE``."""

    CCNR = "CCNR"
    CONR = "CONR"
    UTAP = "UTAP"
    RQCH = "RQCH"
    CHBE = "CHBE"  # information on the charge bearer is requested
    CHIN = "CHIN"  # information on the charges taken is requested
    RQVA = "RQVA"  # revaluation (value date) requested
    ISDT = "ISDT"  # interbank settlement date incorrect
    CTOR = "CTOR"
    DTOR = "DTOR"
    PURP = "PURP"
    RQDO = "RQDO"
    RQPR = "RQPR"
    RQSG = "RQSG"
    AMLI = "AMLI"
    FCCI = "FCCI"
    NARR = "NARR"


class ReasonSubType(StrEnum):
    """camt.110 InvstgtnData/RsnSubTp/Cd (ExternalInvestigationReasonSubType1Code), used with UTAP."""

    MMNA = "MMNA"  # name and account do not match
    RQAC = "RQAC"  # account is requested
    RQNM = "RQNM"  # full name is requested


# camt.110: the reasons each investigation type takes (InvstgtnData/Rsn is mandatory in the schema). Value-date
# claims carry their dates in AddtlReqData/ReqdValtn or ReqdCompstn, not in a reason code.
REASONS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "CCNR": ("CCNR",),
    "CONR": ("CONR",),
    "UTAP": ("UTAP",),
    "RQCH": ("CHIN", "CHBE", "RQCH"),
    "RQVA": ("RQVA", "ISDT"),
    "RQFI": ("RQDO", "RQPR", "RQSG", "CTOR", "DTOR", "PURP", "AMLI", "FCCI", "NARR"),
}
DEFAULT_REASON = "NARR"  # the other types: see the narrative


class RfiReason(StrEnum):
    """camt.110 RQFI InvstgtnData/Rsn/Cd of a request for information we raise."""

    CTOR = "CTOR"
    DTOR = "DTOR"
    PURP = "PURP"
    RQDO = "RQDO"
    RQPR = "RQPR"
    RQSG = "RQSG"


class AnswerMessage(StrEnum):
    """Message used to answer an investigation: camt.029 for a cancellation, camt.111 for a camt.110."""

    CAMT029 = "camt.029"
    CAMT111 = "camt.111"


class InvestigationMessage(StrEnum):
    """Message of an investigation we raise: a camt.110 case or a pacs.028 status request (chaser)."""

    CAMT110 = "camt.110"
    PACS028 = "pacs.028"


# camt.029 Sts/Conf (ExternalInvestigationExecutionConfirmation1Code): answers to a cancellation request.
CAMT029_STATUSES = ("CNCL", "RJCR", "PDCR", "PECR")
# camt.111 InvstgtnSts/Sts (ExternalInvestigationStatus1Code).
CAMT111_STATUSES = ("CLSD", "PDNG", "RJCT")


class Camt029Reason(StrEnum):
    """camt.029 CxlStsRsnInf/Rsn/Cd (ExternalPaymentCancellationRejection1Code)."""

    AC04 = "AC04"
    ADAC = "ADAC"
    AGNT = "AGNT"  # an agent refuses to cancel (not "our bank made an error")
    AM04 = "AM04"
    ARDT = "ARDT"
    ARPL = "ARPL"
    CUST = "CUST"
    IDMN = "IDMN"
    LEGL = "LEGL"
    NARR = "NARR"
    NOAS = "NOAS"
    NOOR = "NOOR"
    RQDA = "RQDA"
    RR04 = "RR04"


class Camt111Reason(StrEnum):
    """camt.111 InvstgtnSts/StsRsn/Cd (ExternalInvestigationStatusReason1Code)."""

    ADAC = "ADAC"
    AGNT = "AGNT"  # request directed at the wrong agent
    ARDT = "ARDT"
    ARJT = "ARJT"
    ARPL = "ARPL"
    CACR = "CACR"
    CAPR = "CAPR"
    ESCA = "ESCA"
    FTNA = "FTNA"
    INPO = "INPO"
    LEGL = "LEGL"
    NARR = "NARR"
    NOAD = "NOAD"
    NOAS = "NOAS"
    NOOR = "NOOR"
    PARE = "PARE"
    RR04 = "RR04"


class ReturnReason(StrEnum):
    """pacs.004 RtrRsnInf/Rsn/Cd (ExternalReturnReason1Code)."""

    FOCR = "FOCR"
    AC01 = "AC01"
    AC03 = "AC03"
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
