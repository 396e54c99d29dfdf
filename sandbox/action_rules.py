"""Business rules, ISO 20022 drafts and state changes of each write action kind."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, RowMapping, func, insert, select, update

from core.domain import ActionKind
from sandbox import case_rules
from sandbox import iso20022 as iso
from sandbox.action_base import Prepared, get_case, next_id
from sandbox.actions_schema import actions
from sandbox.queries import find_payment
from sandbox.routes_common import ApiError
from sandbox.schema import holds, payments, returns, tracker_events
from tools import models as m

# Return reasons for funds that reached the creditor agent but cannot be applied to the creditor's account.
UNAPPLIED_RETURN_REASONS = ("AC01", "AC03", "AC04", "AC06", "BE01", "MS03", "RR01", "RR02", "RR03", "RR04")


def _original(pay: RowMapping, *, settled: bool = False) -> iso.OriginalPayment:
    use_settled = settled and pay["settled_amount"] is not None
    settled_at = pay["settlement_at"]
    return iso.OriginalPayment(
        payment_id=pay["id"],
        uetr=pay["uetr"],
        end_to_end_id=pay["end_to_end_id"],
        amount=Decimal(pay["settled_amount"] if use_settled else pay["instructed_amount"]),
        currency=pay["settled_currency"] if use_settled else pay["instructed_currency"],
        # OrgnlIntrBkSttlmDt is the interbank settlement date, not the value date given to the creditor.
        settlement_date=settled_at.date() if settled_at is not None else None,
        debtor_agent_bic=pay["debtor_agent_bic"],
        creditor_agent_bic=pay["creditor_agent_bic"],
        tx_id=pay["tx_id"],
        instr_id=pay["instr_id"],
        intermediary_bics=tuple(json.loads(pay["intermediary_bics"] or "[]")),
        msg_id=pay["msg_id"],
        value_date=pay["value_date"],
    )


def _reached_creditor_agent(conn: Connection, pay: RowMapping) -> bool:
    """Whether the tracker shows the payment received at the creditor agent (credited or not)."""
    last = conn.execute(
        select(tracker_events.c.agent_bic)
        .where(tracker_events.c.payment_id == pay["id"])
        .order_by(tracker_events.c.seq.desc())
        .limit(1)
    ).scalar()
    return last == pay["creditor_agent_bic"]


def _no_effect(_conn: Connection, _now: datetime) -> dict[str, Any]:
    return {}


def _locked_payment(conn: Connection, reference: str) -> RowMapping:
    pay = find_payment(conn, reference)
    # Row lock on databases that have one (Postgres); SQLite serialises writers anyway.
    return conn.execute(select(payments).where(payments.c.id == pay["id"]).with_for_update()).mappings().one()


def _build(message: Callable[..., iso.MessageDraft], *args: Any, **kwargs: Any) -> iso.MessageDraft:
    try:
        return message(*args, **kwargs)
    except iso.XsdValidationError as exc:
        raise ApiError(422, "invalid_message", f"the ISO 20022 draft does not validate: {exc}") from exc


def _recall(conn: Connection, a: m.RecallArgs, msg_id: str) -> Prepared:
    pay = _locked_payment(conn, a.reference)
    if pay["status"] == "RJCT":
        raise ApiError(409, "payment_rejected", f"{pay['id']} was rejected: there is nothing to recall")
    if conn.execute(select(returns.c.id).where(returns.c.payment_id == pay["id"])).first():
        raise ApiError(409, "already_returned", f"the funds of {pay['id']} were already returned")
    last_recall = conn.execute(
        select(func.max(actions.c.seq)).where(actions.c.payment_id == pay["id"], actions.c.kind == "recall")
    ).scalar()
    if last_recall is not None:
        answered = conn.execute(
            select(actions.c.seq).where(
                actions.c.payment_id == pay["id"],
                actions.c.kind == "investigation_answer",
                actions.c.seq > last_recall,
            )
        ).first()
        if not answered:
            raise ApiError(409, "recall_pending", f"a recall of {pay['id']} is already pending an answer")
    if a.case_id:
        get_case(conn, a.case_id)
    draft = _build(
        iso.build_camt056,
        _original(pay),
        msg_id=msg_id,
        reason_code=a.reason_code.value,
        additional_info=a.additional_info,
        case_id=a.case_id,
    )
    return Prepared(
        pay, a.case_id, draft, lambda _c, _n: {"recall_requested": True, "reason_code": a.reason_code.value}
    )


def _investigation(conn: Connection, a: m.InvestigationArgs, msg_id: str) -> Prepared:
    pay = find_payment(conn, a.reference)
    kind = a.investigation_type.value if a.investigation_type else None
    if pay["status"] == "RJCT" and (kind in ("CCNR", "CONR", "UTAP") or a.message.value == "pacs.028"):
        what = f"a {kind} claim" if kind else "a status request"
        raise ApiError(409, "payment_rejected", f"{pay['id']} was rejected: {what} does not apply")
    if a.message.value == "pacs.028":
        draft = _build(iso.build_pacs028, _original(pay), msg_id=msg_id, responder_bic=a.responder_bic)
        return Prepared(pay, None, draft, _no_effect)
    assert kind is not None  # the argument model requires a type for a camt.110
    draft = _build(
        iso.build_camt110,
        _original(pay),
        msg_id=msg_id,
        investigation_type=kind,
        sub_type=a.sub_type.value if a.sub_type else None,
        reason_code=a.reason_code.value if a.reason_code else None,
        reason_sub_type=a.reason_sub_type.value if a.reason_sub_type else None,
        additional_info=a.additional_info,
        responder_bic=a.responder_bic,
        correct_value_date=a.correct_value_date,
        compensation_amount=a.compensation_amount,
        # interest is computed on the amount credited (compute_compensation), in its currency
        compensation_currency=pay["settled_currency"] if pay["settled_amount"] is not None else None,
    )
    return Prepared(pay, None, draft, _no_effect)


def _answer(conn: Connection, a: m.InvestigationAnswerArgs, msg_id: str) -> Prepared:
    pay = find_payment(conn, a.reference)
    if a.status == "CNCL" and pay["status"] == "RJCT":
        raise ApiError(409, "payment_rejected", f"{pay['id']} was rejected: it cannot be confirmed cancelled")
    if a.case_id:
        get_case(conn, a.case_id)
    reason = a.reason_code
    if a.message.value == "camt.029":
        draft = _build(
            iso.build_camt029,
            _original(pay),
            msg_id=msg_id,
            status=a.status,
            reason_code=reason,
            additional_info=a.additional_info,
            case_id=a.case_id,
        )
    else:
        assert a.investigation_type is not None  # the argument model requires it for a camt.111
        draft = _build(
            iso.build_camt111,
            _original(pay),
            msg_id=msg_id,
            status=a.status,
            investigation_type=a.investigation_type.value,
            reason_code=reason,
            additional_info=a.additional_info,
            original_msg_id=a.original_msg_id,
            requester_bic=a.requester_bic,
        )
    return Prepared(pay, a.case_id, draft, lambda _c, _n: {"answer_status": a.status})


def _return(conn: Connection, a: m.ReturnFundsArgs, msg_id: str) -> Prepared:
    pay = _locked_payment(conn, a.reference)
    code = a.reason_code.value
    if pay["status"] == "RJCT":
        raise ApiError(409, "payment_rejected", f"{pay['id']} was rejected: its funds never arrived")
    if pay["status"] != "ACCC":
        # Received but not applied (e.g. closed or blocked account): returning it is what pacs.004 is for.
        if not _reached_creditor_agent(conn, pay):
            raise ApiError(
                409,
                "payment_not_received",
                f"{pay['id']} has not reached its creditor agent: recall it instead",
            )
        if code not in UNAPPLIED_RETURN_REASONS:
            raise ApiError(
                409,
                "return_reason_not_allowed",
                f"{pay['id']} was received but not applied: return it with one of "
                f"{', '.join(UNAPPLIED_RETURN_REASONS)}, not {code}",
            )
    if conn.execute(select(returns.c.id).where(returns.c.payment_id == pay["id"])).first():
        raise ApiError(409, "already_returned", f"the funds of {pay['id']} were already returned")
    original = _original(pay, settled=True)
    amount = a.amount or original.amount
    if amount > original.amount:
        raise ApiError(
            409, "amount_exceeds_original", f"return {amount} exceeds the settled {original.amount}"
        )
    draft = _build(
        iso.build_pacs004,
        original,
        msg_id=msg_id,
        reason_code=a.reason_code.value,
        return_amount=amount,
        additional_info=a.additional_info,
    )

    def apply(c: Connection, now: datetime) -> dict[str, Any]:
        ret_id = next_id(c, returns.c.id, "RET-", 8)
        c.execute(
            insert(returns).values(
                id=ret_id,
                payment_id=pay["id"],
                original_payment_id=pay["id"],
                reason_code=a.reason_code.value,
                amount=amount,
                currency=original.currency,
                returned_at=now,
            )
        )
        return {"return_id": ret_id, "amount": f"{amount:.2f}", "currency": original.currency}

    return Prepared(pay, None, draft, apply)


def _release(conn: Connection, a: m.ReleaseHoldArgs, _msg_id: str) -> Prepared:
    pay = find_payment(conn, a.reference)
    query = select(holds).where(holds.c.payment_id == pay["id"])
    if a.hold_id:
        hold = conn.execute(query.where(holds.c.id == a.hold_id)).mappings().first()
        if hold is None:
            raise ApiError(404, "hold_not_found", f"{pay['id']} has no hold {a.hold_id}")
    else:
        hold = (
            conn.execute(query.where(holds.c.status == "active").order_by(holds.c.placed_at))
            .mappings()
            .first()
        )
    if hold is None or hold["status"] != "active":
        raise ApiError(409, "hold_not_active", f"{pay['id']} has no active hold to release")

    def apply(c: Connection, now: datetime) -> dict[str, Any]:
        done = c.execute(
            update(holds)
            .where(holds.c.id == hold["id"], holds.c.status == "active")
            .values(status="released", released_at=now)
        )
        if done.rowcount != 1:
            raise ApiError(409, "hold_not_active", f"hold {hold['id']} is no longer active")
        return {"hold_id": hold["id"], "hold_status": "released"}

    return Prepared(pay, None, None, apply)


def _request_info(conn: Connection, a: m.RequestInfoArgs, msg_id: str) -> Prepared:
    pay = find_payment(conn, a.reference)
    if pay["status"] == "RJCT":
        raise ApiError(409, "payment_rejected", f"{pay['id']} was rejected: no information to request")
    draft = _build(
        iso.build_camt110,
        _original(pay),
        msg_id=msg_id,
        investigation_type="RQFI",
        sub_type=a.sub_type.value,
        reason_code=a.reason_code.value,
        additional_info=a.questions,
        requester_bic=a.requester_bic,
    )
    return Prepared(pay, None, draft, _no_effect)


_RULES: dict[ActionKind, Callable[[Connection, Any, str], Prepared]] = {
    ActionKind.RECALL: _recall,
    ActionKind.INVESTIGATION: _investigation,
    ActionKind.INVESTIGATION_ANSWER: _answer,
    ActionKind.RETURN_FUNDS: _return,
    ActionKind.RELEASE_HOLD: _release,
    ActionKind.REQUEST_INFO: _request_info,
    ActionKind.OPEN_CASE: case_rules.open_case,
    ActionKind.CLOSE_CASE: case_rules.close_case,
    ActionKind.ESCALATE: case_rules.escalate,
}


def prepare(conn: Connection, kind: ActionKind, args: BaseModel, msg_id: str) -> Prepared:
    """Check the business rules of ``kind`` for ``args`` and build its message; changes nothing yet."""
    return _RULES[kind](conn, args, msg_id)
