"""Findings: deterministic, cited statements per case type, built from the typed evidence and the proposals.

They reach the analyst as soon as the reads finish (the ``findings`` event), before any model call, and
they are the answer when the model is off, slow or failing. The model only rephrases them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.derived import due_value_date
from agent.evidence import EvidenceView
from agent.findings import builders as b
from agent.findings.model import Finding
from core.domain import CaseType

C = CaseType
Builder = Callable[[EvidenceView], Finding | list[Finding] | None]

# The facts each case type needs after the payment and its position, most telling first.
_CASE_FACTS: dict[CaseType, tuple[Builder, ...]] = {
    C.CLAIM_NON_RECEIPT: (b.account_fact, b.cases_fact),
    C.STATUS_CHASER: (),
    C.MISSING_COVER: (b.cases_fact,),
    C.CANCELLATION_RECALL: (b.duplicates_fact, b.risk_fact, b.cases_fact),
    C.DUPLICATE: (b.duplicates_fact, b.cases_fact),
    C.FRAUD_RECALL: (b.risk_fact, b.cases_fact),
    C.WRONG_BENEFICIARY: (b.payee_fact, b.cases_fact),
    C.RETURN_OF_FUNDS: (b.account_fact, b.cases_fact),
    C.AMENDMENT: (b.cases_fact,),
    C.UNABLE_TO_APPLY: (b.account_fact, b.payee_fact, b.cases_fact),
    C.CHARGES: (b.charges_fact,),
    C.VALUE_DATE: (),
    C.COMPLIANCE_HOLD: (b.screening_fact, b.cases_fact),
    C.GENERAL: (),
}
_MAX_SOP = 2


def _sentence(text: str, limit: int = 170) -> str:
    """The first full sentence of an SOP section (its instruction), shortened; list numbers are skipped."""
    flat = " ".join(text.replace("**", "").split())
    for stop in (". ", "; "):
        at = flat.find(stop, 20)
        if 0 < at < limit:
            return flat[: at + 1]
    return flat[:limit].rstrip() + ("…" if len(flat) > limit else "")


def sop_facts(hits: list[dict[str, Any]]) -> list[Finding]:
    """What the procedure says, with its section citation (the text is the corpus's, not the evidence's).

    The section's first sentence (its instruction): quoting the lines that match the question's words was
    measured to bring status words of other situations ("credited", "rejected") into the reply."""
    out = []
    # A worked example's numbers are not this payment's facts: instructions only.
    usable = [h for h in hits if "example" not in str(h.get("section_title") or "").lower()]
    for hit in usable[:_MAX_SOP]:
        title = hit.get("section_title") or hit.get("title") or ""
        text = f"Procedure, {title}: {_sentence(hit.get('text') or '')}".strip()
        out.append(Finding("procedure", text, [], [hit["citation"]], untrusted=True))
    return out


def proposal_facts(proposals: list[dict[str, Any]], blocked: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for p in proposals:
        args = p.get("args") or {}
        code = args.get("investigation_type") or p.get("reason_code")
        to = f" to {args['responder_bic']}" if args.get("responder_bic") else ""
        text = (
            f"Proposed, awaiting approval: {p.get('message_type') or p['kind']} {p['kind']} {code}{to} "
            f"on {args.get('reference')}, because {p.get('explanation') or 'the evidence shows it'}."
        )
        brief = f"Proposed, awaiting approval: {p['kind']} {code}{to}."
        out.append(Finding("proposal", text, list(p.get("evidence_ids") or []), brief=brief))
    for item in blocked:
        out.append(Finding("blocked", f"No action proposed: {item.get('reason')}.", []))
    return out


def triage_facts(triage: dict[str, Any]) -> list[Finding]:
    """What the payment search found when the message had no reference."""
    source = triage.get("source")
    if source == "search_none":
        return [
            Finding("search", "No payment matches the description (amount, currency, parties, dates).", [])
        ]
    if source == "search_several":
        rows = "; ".join(
            f"{c['payment_id']} {c['amount']} {c['debtor']} → {c['creditor']} ({c['status']})"
            for c in triage.get("candidates") or []
        )
        return [Finding("search", f"Several payments match: {rows}. Which one is it?", [])]
    if source == "search_pair":
        ids = " and ".join(c["payment_id"] for c in triage.get("candidates") or [])
        text = f"The description matches {ids}: the same payment sent twice, looked at as a pair."
        return [Finding("search", text, [])]
    if source == "none":
        return [Finding("search", "The message names no payment reference, amount or party to look for.", [])]
    return []


def build_findings(state: dict[str, Any]) -> list[Finding]:
    """The findings of the turn, numbered F1, F2, … in reading order."""
    refs = (state.get("references") or {}).get("payment_refs") or []
    evidence = state.get("evidence") or []
    view = EvidenceView(evidence, refs[0] if refs else None)
    case_type = CaseType(state.get("case_type") or "general")
    found: list[Finding] = list(triage_facts(state.get("triage") or {}))
    if refs and view.payment is None:
        found.append(
            Finding("search", f"Payment {refs[0]} was not found.", [i["id"] for i in view.failed()][:1])
        )
    builders: list[Builder] = [b.payment_fact, b.returns_fact, b.position_fact, *_CASE_FACTS[case_type]]
    for build in builders:
        result = build(view)
        found.extend(result if isinstance(result, list) else [result] if result else [])
    if case_type == C.VALUE_DATE:
        fact = b.value_date_fact(view, due_value_date(view, evidence))
        found.extend([fact] if fact else [])
    if view.payment is not None:
        found.extend(f for f in [b.sla_fact(view)] if f)
    found.extend(proposal_facts(state.get("proposals") or [], state.get("blocked") or []))
    choices = state.get("case_type_choices") or []
    if choices:
        found.append(Finding("question", "Which case is this? Pick one: " + ", ".join(choices) + ".", []))
    found.extend(sop_facts(state.get("hits") or []))
    found.extend(b.failed_facts(view) if view.payment is not None else [])
    for index, finding in enumerate(found, start=1):
        finding.id = f"F{index}"
    return found


def findings_text(findings: list[dict[str, Any]]) -> str:
    """The findings as the answer when there is no model reply: one line each, with their sources."""
    return "\n".join(
        f"- {Finding(**{k: f[k] for k in ('kind', 'text', 'evidence_ids', 'citations')}).line()}"
        for f in findings
    )


__all__ = ["Finding", "build_findings", "findings_text"]
