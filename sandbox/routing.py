"""Direction and routing of the exception messages (the table in docs/iso20022.md, in code).

Who is the requester and who the responder of each investigation type, whether the bank raises it or answers
it, and which agent of the chain (debtor agent, intermediaries, creditor agent) a message goes to. Messages go
hop by hop (SOP-003 §5.1, SOP-005 §8): a recall or claim to the *next* agent, an answer or a return to the
*previous* one; each agent forwards what it cannot settle itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sandbox.iso_xml import OriginalPayment

Role = Literal["debtor_agent", "creditor_agent", "holding_agent"]
Hop = Literal["next_agent", "previous_agent", "debtor_agent"]


@dataclass(frozen=True)
class Direction:
    """One investigation type: who raises it, to which hop, and what answers it."""

    investigation_type: str
    requester: Role  # the agent that sends the camt.110
    responder: Hop  # the hop from the requester that receives it
    answer: str  # the message that answers it
    we_answer_when: str  # when the bank answers (camt.111) instead of raising its own camt.110


DIRECTIONS: dict[str, Direction] = {
    d.investigation_type: d
    for d in (
        Direction("CCNR", "debtor_agent", "next_agent", "camt.111", "we are an agent after the debtor agent"),
        Direction("RQCH", "debtor_agent", "next_agent", "camt.111", "we are the agent that took the charges"),
        Direction(
            "RQVA", "debtor_agent", "next_agent", "camt.111", "we are the agent that set the value date"
        ),
        # Cover method: the pacs.008 goes straight from the debtor agent to the creditor agent and only the
        # cover travels through the intermediaries, so the creditor agent claims from the debtor agent.
        Direction("CONR", "creditor_agent", "debtor_agent", "camt.111", "we sent the payment or its cover"),
        Direction("UTAP", "creditor_agent", "previous_agent", "camt.111", "we are before the creditor agent"),
        Direction("RQFI", "holding_agent", "previous_agent", "camt.111", "another agent holds the payment"),
    )
}
DEFAULT = Direction("OTHR", "debtor_agent", "next_agent", "camt.111", "we are asked")
# Case types whose investigation is raised by the other bank: the playbooks answer them with camt.111.
ANSWERED_BY_US = {"missing_cover": "CONR", "unable_to_apply": "UTAP", "compliance_hold": "RQFI"}


def direction(investigation_type: str) -> Direction:
    """The routing row of an investigation type."""
    return DIRECTIONS.get(investigation_type, DEFAULT)


def parties(
    pay: OriginalPayment,
    investigation_type: str,
    *,
    requester_bic: str | None = None,
    responder_bic: str | None = None,
) -> tuple[str, str]:
    """(requester, responder) BICs of an investigation on ``pay``: from the table unless given."""
    row = direction(investigation_type)
    if requester_bic is None:
        requester_bic = pay.debtor_agent_bic if row.requester == "debtor_agent" else pay.creditor_agent_bic
    if responder_bic is None and row.responder == "debtor_agent":
        responder_bic = pay.debtor_agent_bic
    elif responder_bic is None:
        hop = pay.next_agent if row.responder == "next_agent" else pay.previous_agent
        responder_bic = hop(requester_bic)
    return requester_bic, responder_bic
