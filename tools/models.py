"""pydantic models of the payment tools: the arguments of every write action and the read results."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from core.domain import (
    BIC_PATTERN,
    CASE_ID_PATTERN,
    E2E_ID_PATTERN,
    PAYMENT_ID_PATTERN,
    ActionKind,
    CaseType,
)
from tools.action_codes import (
    CAMT029_STATUSES,
    CAMT111_STATUSES,
    DEFAULT_REASON,
    REASONS_BY_TYPE,
    AnswerMessage,
    Camt029Reason,
    Camt111Reason,
    CancellationReason,
    EscalationLevel,
    InvestigationMessage,
    InvestigationReason,
    InvestigationType,
    ReasonSubType,
    ResolutionCode,
    ReturnReason,
    RfiReason,
    RfiSubType,
)


def _strip_controls(value: Any) -> Any:
    """Drop control characters (NUL, escapes, ...) from untrusted free text before it is validated."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return value


Clean = BeforeValidator(_strip_controls)
# The reference pattern without inline flags, so JSON-schema consumers (llama.cpp grammars) can use it.
_UETR_ANY_CASE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
REFERENCE_PATTERN = rf"^(?:{_UETR_ANY_CASE}|{PAYMENT_ID_PATTERN}|{E2E_ID_PATTERN})$"
Reference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=REFERENCE_PATTERN)]
CaseId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=rf"^{CASE_ID_PATTERN}$")]
Bic = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=rf"^{BIC_PATTERN}$")]
Text105 = Annotated[str, Clean, StringConstraints(strip_whitespace=True, max_length=105)]
Text200 = Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text500 = Annotated[str, Clean, StringConstraints(strip_whitespace=True, max_length=500)]
Text1To500 = Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Money = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000000"), max_digits=18, decimal_places=2)]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecallArgs(_Args):
    """camt.056 cancellation / recall request."""

    reference: Reference = Field(description="UETR, EndToEndId or PAY- id of the payment")
    reason_code: CancellationReason = Field(description="camt.056 cancellation reason, e.g. DUPL, FRAD, CUST")
    additional_info: Text105 | None = Field(default=None, description="Free text, at most 105 characters")
    case_id: CaseId | None = None


class InvestigationArgs(_Args):
    """An investigation we raise: a camt.110 (claim non-receipt, charges, value date, ...) or, for a status
    chaser, a pacs.028 status request. Requester and responder follow docs/iso20022.md unless given."""

    reference: Reference
    message: InvestigationMessage = Field(
        default=InvestigationMessage.CAMT110, description="camt.110 case or pacs.028 status request"
    )
    investigation_type: InvestigationType | None = Field(
        default=None, description="camt.110 type, e.g. CCNR, RQCH, RQVA (none for pacs.028)"
    )
    sub_type: RfiSubType | None = Field(
        default=None, description="Required for RQFI: SANC, AMLI, FCCI, FRAD, FWTR, UTEX"
    )
    reason_code: InvestigationReason | None = Field(
        default=None, description="camt.110 reason; must fit the type (e.g. RQCH: CHIN/CHBE, RQVA: RQVA/ISDT)"
    )
    reason_sub_type: ReasonSubType | None = Field(default=None, description="UTAP only: MMNA, RQAC, RQNM")
    additional_info: Text500 | None = None
    responder_bic: Bic | None = Field(default=None, description="Agent asked; default from the routing table")
    correct_value_date: date | None = Field(default=None, description="RQVA: the value date that was due")
    compensation_amount: Money | None = Field(default=None, description="RQVA: interest claimed")

    @model_validator(mode="after")
    def _type_rules(self) -> InvestigationArgs:
        if self.message == InvestigationMessage.PACS028:
            extra = (self.investigation_type, self.sub_type, self.reason_code, self.reason_sub_type)
            if any(v is not None for v in extra) or self.correct_value_date or self.compensation_amount:
                raise ValueError("a pacs.028 status request takes no investigation type, sub-type or reason")
            return self
        kind = self.investigation_type
        if kind is None:
            raise ValueError("investigation_type is required for a camt.110")
        if kind == InvestigationType.RQFI and self.sub_type is None:
            raise ValueError("sub_type is required when investigation_type is RQFI")
        if kind != InvestigationType.RQFI and self.sub_type is not None:
            raise ValueError("sub_type is only allowed when investigation_type is RQFI")
        allowed = REASONS_BY_TYPE.get(kind.value, (DEFAULT_REASON,))
        if self.reason_code is not None and self.reason_code.value not in allowed:
            raise ValueError(f"reason_code of a {kind.value} must be one of {', '.join(allowed)}")
        if self.reason_sub_type is not None and kind != InvestigationType.UTAP:
            raise ValueError("reason_sub_type is only allowed when investigation_type is UTAP")
        if kind != InvestigationType.RQVA and (self.correct_value_date or self.compensation_amount):
            raise ValueError("correct_value_date and compensation_amount are only for RQVA")
        if self.compensation_amount is not None and self.correct_value_date is None:
            raise ValueError("compensation_amount needs correct_value_date (the start of the period)")
        return self


class InvestigationAnswerArgs(_Args):
    """Answer to a cancellation request (camt.029: CNCL/RJCR/PDCR/PECR) or to a camt.110 case raised by
    another bank (camt.111: CLSD/PDNG/RJCT, with the investigation type answered)."""

    reference: Reference
    message: AnswerMessage = AnswerMessage.CAMT029
    status: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{4}$")]
    reason_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z0-9]{4}$")]
        | None
    ) = Field(default=None, description="camt.029: cancellation rejection reason; camt.111: status reason")
    investigation_type: InvestigationType | None = Field(
        default=None, description="camt.111: type of the camt.110 answered, e.g. CONR, UTAP, RQFI"
    )
    original_msg_id: Annotated[str, Clean, StringConstraints(strip_whitespace=True, max_length=35)] | None = (
        None
    )
    requester_bic: Bic | None = Field(default=None, description="camt.111: the agent that raised the case")
    additional_info: Text500 | None = None
    case_id: CaseId | None = None

    @model_validator(mode="after")
    def _status_rule(self) -> InvestigationAnswerArgs:
        camt029 = self.message == AnswerMessage.CAMT029
        allowed = CAMT029_STATUSES if camt029 else CAMT111_STATUSES
        if self.status not in allowed:
            raise ValueError(f"status must be one of {', '.join(allowed)} for {self.message.value}")
        reasons = {m.value for m in (Camt029Reason if camt029 else Camt111Reason)}
        if self.reason_code is not None and self.reason_code not in reasons:
            raise ValueError(
                f"reason_code {self.reason_code} is not a {self.message.value} reason: {', '.join(sorted(reasons))}"
            )
        if self.status in ("RJCR", "RJCT") and self.reason_code is None:
            raise ValueError("a rejection needs a reason_code")
        if camt029 and (self.investigation_type or self.requester_bic or self.original_msg_id):
            raise ValueError("investigation_type, requester_bic and original_msg_id are camt.111 fields")
        if not camt029 and self.investigation_type is None:
            raise ValueError("a camt.111 needs the investigation_type it answers")
        return self


class ReturnFundsArgs(_Args):
    """pacs.004 return of funds (all of the settled amount unless ``amount`` is given)."""

    reference: Reference
    reason_code: ReturnReason = Field(description="pacs.004 return reason, e.g. FOCR, AM05, FR01, AC04")
    amount: Money | None = None
    additional_info: Text105 | None = None


class ReleaseHoldArgs(_Args):
    """Release an active screening / fraud hold on a payment."""

    reference: Reference
    hold_id: Annotated[str, StringConstraints(pattern=r"^HOLD-[0-9]{7}$")] | None = None
    reason: Text200


class RequestInfoArgs(_Args):
    """A request for information we raise as the agent holding the payment (camt.110 RQFI to the previous
    agent). When another bank holds it and asks us, answer its RQFI with a camt.111 instead."""

    reference: Reference
    reason_code: RfiReason
    sub_type: RfiSubType = RfiSubType.FCCI
    questions: Text1To500
    requester_bic: Bic | None = Field(
        default=None, description="The holding agent; default the creditor agent"
    )


class OpenCaseArgs(_Args):
    """Open an investigation case (optionally tied to a payment)."""

    reference: Reference | None = None
    case_type: CaseType
    summary: Text1To500
    assigned_to: Annotated[str, Clean, StringConstraints(strip_whitespace=True, max_length=40)] | None = None


class CloseCaseArgs(_Args):
    """Close an open case with a resolution code."""

    case_id: CaseId
    resolution_code: ResolutionCode
    note: Text500 | None = None


class EscalateArgs(_Args):
    """Escalate a case (or the open case of a payment) to a higher level."""

    case_id: CaseId | None = None
    reference: Reference | None = None
    level: EscalationLevel = EscalationLevel.TEAM_LEAD
    reason: Text200

    @model_validator(mode="after")
    def _target_rule(self) -> EscalateArgs:
        if self.case_id is None and self.reference is None:
            raise ValueError("give case_id or reference")
        return self


ACTION_ARG_MODELS: dict[ActionKind, type[_Args]] = {
    ActionKind.RECALL: RecallArgs,
    ActionKind.INVESTIGATION: InvestigationArgs,
    ActionKind.INVESTIGATION_ANSWER: InvestigationAnswerArgs,
    ActionKind.RETURN_FUNDS: ReturnFundsArgs,
    ActionKind.RELEASE_HOLD: ReleaseHoldArgs,
    ActionKind.REQUEST_INFO: RequestInfoArgs,
    ActionKind.OPEN_CASE: OpenCaseArgs,
    ActionKind.CLOSE_CASE: CloseCaseArgs,
    ActionKind.ESCALATE: EscalateArgs,
}


# The base URL of a payments API reached through an in-process transport (the host part is never resolved):
# part of the contract because the sandbox recognises its in-process callers by it.
IN_PROCESS_BASE_URL = "http://payments-api"


class ApiModel(BaseModel):
    """Base of read results: unknown fields are kept so a newer API does not break older clients."""

    model_config = ConfigDict(extra="allow")


class Payment(ApiModel):
    """One payment as the payments hub shows it."""

    id: str
    uetr: str
    end_to_end_id: str
    status: str
    status_reason: str | None = None
    instructed_amount: Decimal
    instructed_currency: str
    debtor_name: str
    creditor_name: str
    debtor_agent_bic: str
    creditor_agent_bic: str
    intermediary_bics: list[str] = []
    value_date: str | None = None
    returns: list[
        dict[str, Any]
    ] = []  # pacs.004 returns of this payment: id, reason_code, amount, currency, returned_at


class PaymentSearch(ApiModel):
    """Search results (at most ``limit``)."""

    count: int
    payments: list[Payment]


class Tracker(ApiModel):
    """gpi tracker hops and the summary (current status, where it stopped, charges, gpi)."""

    payment_id: str
    uetr: str
    hops: list[dict[str, Any]]
    summary: dict[str, Any]


class Screening(ApiModel):
    """Screening hits and holds of a payment."""

    payment_id: str
    hits: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    summary: dict[str, Any]


class Account(ApiModel):
    """An account with its holder and bank."""

    id: str
    account_number: str
    holder_name: str
    status: str
    currency: str
    bank_bic: str


class PayeeVerification(ApiModel):
    """Verification of Payee result."""

    result: str  # match | close_match | no_match
    score: float
    registered_name: str | None = None


class Duplicates(ApiModel):
    """Duplicate candidates of a payment."""

    payment_id: str
    window_days: int
    candidates: list[dict[str, Any]]


class CaseRecord(ApiModel):
    """One investigation case, looked up by its id (the analyst may name only the case)."""

    id: str
    payment_id: str | None = None
    case_type: str
    status: str
    opened_at: str
    closed_at: str | None = None
    resolution_code: str | None = None
    answer_status: str | None = None  # the latest camt.029 answer received: CNCL, RJCR, PDCR, ...
    answer_reason: str | None = None  # its reason code: CUST, UM14, ...
    summary: str = ""  # free text: shown to the analyst, never read by the decision rules
    assigned_to: str | None = None


class Cases(ApiModel):
    """Cases about a payment."""

    payment_id: str
    cases: list[dict[str, Any]]


class CalendarInfo(ApiModel):
    """Business-day facts for a currency and date."""

    currency: str
    date: str
    is_business_day: bool
    next_business_day: str


class SlaClock(ApiModel):
    """One SLA clock of a case type: how many business days, when it falls due, what it means."""

    name: str
    business_days: int
    due_date: str
    rule: str


class SlaLimit(ApiModel):
    """A monetary limit of a case type's scheme rules (a bank parameter), e.g. the UK APP reimbursement cap."""

    name: str
    amount: Decimal
    currency: str
    rule: str


class SlaDueDates(ApiModel):
    """Every SLA clock of a case type counted from ``start`` in the currency's business days, and the scheme's
    monetary limits that apply to payments in that currency."""

    case_type: str
    start: str
    currency: str
    due: list[SlaClock]
    limits: list[SlaLimit] = []


class FxRate(ApiModel):
    """An FX rate: 1 base = rate quote."""

    base: str
    quote: str
    rate: float
    date: str


class Compensation(ApiModel):
    """Value-date interest compensation."""

    payment_id: str
    interest: Decimal
    currency: str
    days: int
    day_count_basis: int


class RiskSignals(ApiModel):
    """Anomaly score and red flags of a payment."""

    payment_id: str
    scored: bool
    score: float | None = None
    flags: list[str] = []
    fraud_type: str | None = None  # confirmed by the fraud team: account_takeover | app_scam | ...


class ActionResult(ApiModel):
    """Outcome of an executed write (``replayed`` when the idempotency key was seen before)."""

    action_id: str
    kind: str
    replayed: bool = False
    message: dict[str, Any] | None = None
    effects: dict[str, Any] = {}


class ActionDraft(ApiModel):
    """A validated draft of a write: its ISO 20022 message, nothing changed."""

    kind: str
    message_type: str | None
    xml: str | None
    xsd_validated: bool
