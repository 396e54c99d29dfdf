"""One builder per kind of fact: typed evidence in, one short statement naming its evidence ids out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.evidence import EvidenceView, hop_charges, to_decimal, tracker_status
from agent.findings.codes import REASON_MEANING, answer_words, status_words
from agent.findings.model import Finding

_ZERO_DECIMALS = {"JPY", "KRW", "HUF", "ISK", "CLP"}


def money(amount: Any, currency: str | None) -> str:
    value = to_decimal(amount) or Decimal(0)
    text = f"{value:,.0f}" if currency in _ZERO_DECIMALS else f"{value:,.2f}"
    return f"{currency} {text}" if currency else text


def _day(value: Any) -> str:
    return str(value)[:10] if value else ""


def _when(value: Any) -> str:
    text = str(value or "").replace("T", " ")
    return f"{text[:16]} UTC" if len(text) >= 16 else text


def payment_fact(view: EvidenceView) -> Finding | None:
    p = view.payment
    if p is None:
        return None
    extra = p.model_dump(mode="json")
    settled = extra.get("value_date") or None
    text = (
        f"{p.id} is a {money(p.instructed_amount, p.instructed_currency)} payment from {p.debtor_name} "
        f"({p.debtor_agent_bic}) to {p.creditor_name} ({p.creditor_agent_bic}), sent {_when(extra.get('created_at'))}, "
        f"charge bearer {extra.get('charge_bearer') or 'not given'}; "
        + (f"value date {settled}." if settled else "not settled yet (no value date).")
    )
    brief = f"{p.id}: {money(p.instructed_amount, p.instructed_currency)} from {p.debtor_name} to {p.creditor_name}."
    return Finding("payment", text, [view.payment_id or ""], brief=brief)


def returns_fact(view: EvidenceView) -> Finding | None:
    """The pacs.004 returns of the payment (the money came back: nothing more to recall)."""
    p = view.payment
    if p is None or not p.returns:
        return None
    rows = []
    for r in p.returns[:3]:
        meaning = reason_meaning(r.get("reason_code"))
        code = f"{r.get('reason_code')} ({meaning})" if meaning else str(r.get("reason_code"))
        rows.append(
            f"pacs.004 {r.get('id')} reason {code}, {money(r.get('amount'), r.get('currency'))} "
            f"on {_when(r.get('returned_at'))}"
        )
    return Finding("returned", f"{p.id} was returned: " + "; ".join(rows) + ".", [view.payment_id or ""])


def position_fact(view: EvidenceView) -> Finding | None:
    """Where the payment is and since when, with the status and reason code explained."""
    tracker = view.tracker()
    if view.payment is None:
        return None
    if tracker is None:
        words = status_words(view.payment.status, view.payment.status_reason)
        return Finding(
            "position",
            f"The payment status is {words}; the tracker could not be read.",
            [view.payment_id or ""],
        )
    model, eid = tracker
    status, reason, agent = tracker_status(model)
    last = model.hops[-1] if model.hops else {}
    since = _when(last.get("received_at"))
    words = status_words(status, reason)
    if status == "ACCC":
        text = f"The tracker shows {words} at {agent} on {since}."
    elif status == "RJCT":
        text = f"The tracker shows the payment rejected by {agent}: {words}, on {since}."
    elif last.get("forwarded_at") is None and agent:
        text = f"The payment is at {agent} with {words} since {since}; it has not been forwarded."
    else:
        text = f"The tracker shows {words}; last seen at {agent} on {since}."
    return Finding("position", text, [eid])


def charges_fact(view: EvidenceView) -> Finding | None:
    tracker = view.tracker()
    if view.payment is None or tracker is None:
        return None
    model, eid = tracker
    charges = hop_charges(model)
    bearer = view.payment.model_dump(mode="json").get("charge_bearer")
    settled = view.payment.model_dump(mode="json").get("settled_amount")
    settled_ccy = view.payment.model_dump(mode="json").get("settled_currency")
    if not charges:
        return Finding(
            "charges", f"No agent deducted charges on the tracker (charge bearer {bearer}).", [eid]
        )
    per_hop = ", ".join(f"{bic} took {money(amount, ccy)}" for bic, amount, ccy in charges)
    text = f"Charges deducted per hop: {per_hop} (charge bearer {bearer})"
    if settled is not None:
        text += f"; the creditor received {money(settled, settled_ccy)}"
    return Finding("charges", text + ".", [eid, view.payment_id or ""])


def screening_fact(view: EvidenceView) -> list[Finding]:
    seen = view.screening()
    if seen is None:
        return []
    model, eid = seen
    open_hits = [h for h in model.hits if h.get("status") == "open"]
    holds = [h for h in model.holds if h.get("status") == "active"]
    if not open_hits and not holds:
        return [Finding("screening", "Screening shows no open hit and no active hold.", [eid])]
    parts = [
        f"an open {h.get('list_name')} hit on the {h.get('party')} (score {h.get('score')})"
        for h in open_hits[:2]
    ]
    parts += [
        f"an active {h.get('kind')} hold {h.get('id')} since {_when(h.get('placed_at'))}" for h in holds[:2]
    ]
    out = [Finding("screening", "Screening shows " + " and ".join(parts) + ".", [eid])]
    # The reason the compliance officer recorded on the hold (what is asked, e.g. an RFI's sub-type) is free
    # text: shown to the analyst as a quote, never sent to the model, never read by a rule.
    out += [
        Finding(
            "hold_note",
            f"Hold {h.get('id')} reason: \u201c{str(h['reason'])[:160]}\u201d",
            [eid],
            untrusted=True,
        )
        for h in holds[:2]
        if h.get("reason")
    ]
    return out


def account_fact(view: EvidenceView) -> Finding | None:
    seen = view.account()
    if seen is None:
        return None
    model, eid = seen
    extra = model.model_dump(mode="json")
    text = f"The creditor account {model.account_number} at {model.bank_bic} is {model.status}"
    if extra.get("closed_on"):
        text += f" (closed on {extra['closed_on']})"
    return Finding("account", text + ".", [eid])


def payee_fact(view: EvidenceView) -> Finding | None:
    seen = view.payee()
    if seen is None:
        return None
    model, eid = seen
    result = model.result.replace("_", " ")
    text = f"Verification of payee: {result} (score {model.score:.2f})"
    if model.registered_name:
        text += f"; the account is registered to {model.registered_name}"
    return Finding("payee", text + ".", [eid])


def duplicates_fact(view: EvidenceView) -> Finding | None:
    seen = view.duplicates()
    if seen is None:
        return None
    model, eid = seen
    if not model.candidates:
        return Finding("duplicates", f"No duplicate within {model.window_days} days.", [eid])
    rows = []
    for cand in model.candidates[:3]:
        inner = cand.get("payment")
        pay: dict[str, Any] = inner if isinstance(inner, dict) else cand
        rows.append(
            f"{pay.get('id')} (sent {_when(pay.get('created_at'))}, status {pay.get('status') or '?'})"
        )
    return Finding("duplicates", "Possible duplicate: " + "; ".join(rows) + ".", [eid])


def cases_fact(view: EvidenceView) -> list[Finding]:
    seen = view.cases()
    if seen is None:
        return []
    model, eid = seen
    out = []
    for case in model.cases[:3]:
        state = case.get("status")
        resolution = f", resolution {case['resolution_code']}" if case.get("resolution_code") else ""
        text = f"Case {case.get('id')} ({case.get('case_type')}) is {state}{resolution}, opened {_day(case.get('opened_at'))}."
        if case.get("answer_status"):
            text += " " + answer_words(case.get("answer_status"), case.get("answer_reason"))
        out.append(Finding("case", text, [eid]))
        if case.get("summary"):  # free text from the case file: shown to the analyst, never sent to the model
            out.append(
                Finding(
                    "case_note", f"Case note: \u201c{str(case['summary'])[:160]}\u201d", [eid], untrusted=True
                )
            )
    return out


def risk_fact(view: EvidenceView) -> Finding | None:
    seen = view.risk()
    if seen is None:
        return None
    model, eid = seen
    if not model.scored:
        return None
    if not model.flags:
        return Finding("risk", f"Risk score {model.score}; no red flags.", [eid])
    return Finding("risk", f"Risk score {model.score}; red flags: " + "; ".join(model.flags[:3]) + ".", [eid])


def value_date_fact(view: EvidenceView, due: tuple[Any, str] | None) -> Finding | None:
    if view.payment is None:
        return None
    actual = view.payment.value_date
    comp = view.compensation()
    if due is None:
        return None
    day, cal_id = due
    if comp is not None:
        model, eid = comp
        text = (
            f"Value date {actual}, but the instruction arrived before the cut-off, so value {day} was due: "
            f"compensation {money(model.interest, model.currency)} for {model.days} days."
        )
        return Finding("value_date", text, [view.payment_id or "", cal_id, eid])
    text = f"Value date {actual} is the date due ({day}) by the cut-off rules: no compensation is owed."
    return Finding("value_date", text, [view.payment_id or "", cal_id])


def sla_fact(view: EvidenceView) -> Finding | None:
    seen = view.sla()
    if seen is None:
        return None
    data, eid = seen
    due = [d for d in data.get("due") or [] if isinstance(d, dict)]
    if not due:
        return None
    parts = [
        f"{d.get('name')} by {d.get('due_date')} ({d.get('business_days')} business days)" for d in due[:3]
    ]
    text = f"Deadlines from {data.get('start')}: " + "; ".join(parts) + "."
    limits = [x for x in data.get("limits") or [] if isinstance(x, dict)]
    if limits:
        text += (
            " Limits: "
            + "; ".join(f"{x.get('name')} {money(x.get('amount'), x.get('currency'))}" for x in limits)
            + "."
        )
    return Finding("deadline", text, [eid])


def failed_facts(view: EvidenceView) -> list[Finding]:
    facts = [
        Finding(
            "unseen",
            f"Could not see {i['tool']}: {(i.get('error') or {}).get('message', 'failed')}.",
            [i["id"]],
        )
        for i in view.failed()
    ]
    searches = [i for i in view.evidence if not i.get("ok") and i.get("tool") == "retrieval"]
    if searches:  # one line however many queries failed: the answer rests on the lookups alone
        message = (searches[0].get("error") or {}).get("message", "failed")
        facts.append(
            Finding(
                "unseen", f"Could not search the procedures (SOPs): {message}.", [i["id"] for i in searches]
            )
        )
    return facts


def reason_meaning(code: str | None) -> str:
    return REASON_MEANING.get(code or "", "")
