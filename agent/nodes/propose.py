"""Propose: the playbook's decision rule maps evidence to typed, drafted proposals (never executed here)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.case_answers import requested_changes
from agent.case_text import case_text
from agent.context import AgentContext
from agent.events import emit
from agent.evidence import EvidenceView
from agent.facts import found_payments, payment_id_of, payment_keys
from agent.nodes.reads import procedure_hits
from agent.playbooks import missing_checks, playbook_for
from agent.ports import ToolFailure
from agent.proposals import Proposal, idempotency_key, proposal_id
from agent.state import AgentState


def _target(state: AgentState) -> tuple[str | None, dict[str, Any] | None]:
    """The payment the analyst named, as found by the reads (payment id + payment object)."""
    refs = (state.get("references") or {}).get("payment_refs") or []
    payments = found_payments(state.get("evidence") or [])
    for ref in refs:
        norm = ref.lower() if len(ref) == 36 else ref
        for pid, payment in payments.items():
            if norm in payment_keys(payment) and payment.get("_evidence"):
                return pid, payment
    return None, None


async def propose(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Turn the playbook's candidates into validated proposals stored with status ``proposed``."""
    ctx = runtime.context
    playbook = playbook_for(state.get("case_type", ""))
    evidence = state.get("evidence") or []
    blocked: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    if not playbook.allowed:
        return {"proposals": [], "blocked": []}
    if state.get("case_type_choices"):  # an unconfirmed case type never puts an action before an approver
        blocked.append({"reason": "the case type is not confirmed: pick one", "missing": ["case_type"]})
        emit("proposals", {"proposals": [], "blocked": blocked})
        return {"proposals": [], "blocked": blocked}
    target, payment = _target(state)
    if target is None or payment is None:
        blocked.append(
            {"reason": "the reads did not find the payment named in the request", "missing": ["get_payment"]}
        )
        emit("proposals", {"proposals": [], "blocked": blocked})
        return {"proposals": [], "blocked": blocked}
    missing = missing_checks(playbook, target, evidence, ctx.port.read_tool_names)
    if missing:
        blocked.append({"reason": f"mandatory checks missing: {', '.join(missing)}", "missing": missing})
        emit("proposals", {"proposals": [], "blocked": blocked})
        return {"proposals": [], "blocked": blocked}

    thread_id, turn, user = state.get("thread_id", ""), state.get("turn", 1), state.get("user", "")
    typed = EvidenceView(evidence, target).payment
    request = requested_changes(case_text(state.get("message", "")), payment.get("instructed_currency"))
    for index, cand in enumerate(playbook.decide(target, evidence, request)):
        try:
            args = ctx.port.validate_args(cand.kind, cand.args)
            draft = await ctx.port.draft(cand.kind, args)
        except (ToolFailure, ValueError) as exc:
            blocked.append(
                {
                    "reason": f"{cand.kind.value} {cand.reason_code} not drafted: {str(exc)[:200]}",
                    "missing": [],
                }
            )
            continue
        pid = proposal_id(thread_id, turn, index)
        proposal = Proposal(
            id=pid,
            thread_id=thread_id,
            turn=turn,
            kind=cand.kind,
            args=args,
            reason_code=cand.reason_code,
            message_type=draft.get("message_type"),
            iso_xml=draft.get("xml"),
            evidence_ids=cand.evidence_ids,
            explanation=cand.explanation,
            amount=float(typed.instructed_amount) if typed else None,
            currency=typed.instructed_currency if typed else None,
            requested_by=user,
            idempotency_key=idempotency_key(pid, cand.kind.value, args),
        )
        ctx.store.add_proposal(proposal.model_dump(mode="json"))  # idempotent: a re-run finds the same id
        proposals.append(proposal.model_dump(mode="json"))
    emit(
        "proposals",
        {"proposals": [_public(p) for p in proposals], "blocked": blocked, "target": payment_id_of(payment)},
    )
    hits = await procedure_hits(
        ctx, action_queries(proposals), state.get("case_type", ""), list(state.get("hits") or [])
    )
    return {"proposals": proposals, "blocked": blocked, "hits": hits}


def action_queries(proposals: list[dict[str, Any]]) -> list[str]:
    """One procedure search per proposed action, from its typed fields only (message type, kind, code)."""
    queries = []
    for p in proposals:
        args = p.get("args") or {}
        code = args.get("investigation_type") or p.get("reason_code") or ""
        queries.append(f"{p.get('message_type') or ''} {p['kind']} reason {code}".strip())
    return list(dict.fromkeys(queries))[:2]


def _public(proposal: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in proposal.items() if k != "iso_xml"}
