"""Which ISO external code set each coded element of each message uses, and the codes the project builds.

The XSDs type these elements as free text (``External...Code``: 1-4 characters), so only this table and a
counterparty's code-list check catch a wrong code. Every builder calls ``check_code`` before it writes a code,
so a code outside its element's set cannot be built; tests/sandbox_api/test_codesets.py checks each set against
ISO's publication (vendored as ``sandbox/xsd/external_code_sets.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The codes of the argument models (tools/action_codes.py), through the contract module sandbox may import.
from tools import action_codes as c


@dataclass(frozen=True)
class ElementCodes:
    """One coded element: its ISO external code set and the codes the project may put there."""

    message: str  # camt.056, camt.029, ...
    path: str  # element path below the message's business root
    iso_set: str  # name of the ISO external code set (a definition in the JSON publication)
    codes: tuple[str, ...]


def _codes(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


ELEMENTS: tuple[ElementCodes, ...] = (
    ElementCodes(
        "camt.056",
        "Undrlyg/TxInf/CxlRsnInf/Rsn/Cd",
        "ExternalCancellationReason1Code",
        _codes(c.CancellationReason),
    ),
    ElementCodes(
        "camt.029", "Sts/Conf", "ExternalInvestigationExecutionConfirmation1Code", c.CAMT029_STATUSES
    ),
    ElementCodes(
        "camt.029",
        "CxlDtls/TxInfAndSts/CxlStsRsnInf/Rsn/Cd",
        "ExternalPaymentCancellationRejection1Code",
        _codes(c.Camt029Reason),
    ),
    ElementCodes(
        "camt.110", "InvstgtnReq/InvstgtnTp/Cd", "ExternalInvestigationType1Code", _codes(c.InvestigationType)
    ),
    ElementCodes(
        "camt.110", "InvstgtnReq/InvstgtnSubTp/Cd", "ExternalInvestigationSubType1Code", _codes(c.RfiSubType)
    ),
    ElementCodes(
        "camt.110", "InvstgtnData/Rsn/Cd", "ExternalInvestigationReason1Code", _codes(c.InvestigationReason)
    ),
    ElementCodes(
        "camt.110",
        "InvstgtnData/RsnSubTp/Cd",
        "ExternalInvestigationReasonSubType1Code",
        _codes(c.ReasonSubType),
    ),
    ElementCodes(
        "camt.111", "InvstgtnRspn/InvstgtnSts/Sts", "ExternalInvestigationStatus1Code", c.CAMT111_STATUSES
    ),
    ElementCodes(
        "camt.111",
        "InvstgtnRspn/InvstgtnSts/StsRsn/Cd",
        "ExternalInvestigationStatusReason1Code",
        _codes(c.Camt111Reason),
    ),
    ElementCodes(
        "camt.111",
        "OrgnlInvstgtnReq/InvstgtnTp/Cd",
        "ExternalInvestigationType1Code",
        _codes(c.InvestigationType),
    ),
    ElementCodes("pacs.004", "TxInf/RtrRsnInf/Rsn/Cd", "ExternalReturnReason1Code", _codes(c.ReturnReason)),
)

_BY_KEY = {(e.message, e.path): e for e in ELEMENTS}

REASONS_BY_TYPE = c.REASONS_BY_TYPE
DEFAULT_REASON = c.DEFAULT_REASON


class CodeSetError(ValueError):
    """A code outside the ISO code set (or the project's subset) of its element."""


def element(message: str, path: str) -> ElementCodes:
    """The table row of one coded element (KeyError when the element is not coded)."""
    return _BY_KEY[(message, path)]


def check_code(message: str, path: str, code: str) -> str:
    """Return ``code`` when its element allows it, else raise ``CodeSetError`` naming the ISO set."""
    row = element(message, path)
    if code not in row.codes:
        raise CodeSetError(
            f"{code} is not a valid {message} {path} code ({row.iso_set}: {', '.join(row.codes)})"
        )
    return code


def reasons_for(investigation_type: str) -> tuple[str, ...]:
    """The camt.110 reasons an investigation type takes."""
    return REASONS_BY_TYPE.get(investigation_type, (DEFAULT_REASON,))


def check_reason(investigation_type: str, reason: str) -> str:
    """A camt.110 reason that fits its investigation type (``CodeSetError`` otherwise)."""
    check_code("camt.110", "InvstgtnData/Rsn/Cd", reason)
    allowed = reasons_for(investigation_type)
    if reason not in allowed:
        raise CodeSetError(
            f"{reason} is not a reason for a {investigation_type} investigation (allowed: {', '.join(allowed)})"
        )
    return reason


# Short names of the coded elements, as used in the ``iso_codes`` front matter of the SOPs.
ALIASES: dict[str, ElementCodes] = {
    "camt.056.reason": element("camt.056", "Undrlyg/TxInf/CxlRsnInf/Rsn/Cd"),
    "camt.029.status": element("camt.029", "Sts/Conf"),
    "camt.029.reason": element("camt.029", "CxlDtls/TxInfAndSts/CxlStsRsnInf/Rsn/Cd"),
    "camt.110.type": element("camt.110", "InvstgtnReq/InvstgtnTp/Cd"),
    "camt.110.sub_type": element("camt.110", "InvstgtnReq/InvstgtnSubTp/Cd"),
    "camt.110.reason": element("camt.110", "InvstgtnData/Rsn/Cd"),
    "camt.110.reason_sub_type": element("camt.110", "InvstgtnData/RsnSubTp/Cd"),
    "camt.111.status": element("camt.111", "InvstgtnRspn/InvstgtnSts/Sts"),
    "camt.111.reason": element("camt.111", "InvstgtnRspn/InvstgtnSts/StsRsn/Cd"),
    "pacs.004.reason": element("pacs.004", "TxInf/RtrRsnInf/Rsn/Cd"),
}
