"""Apply approval decisions to the proposals store (checks first, then compare-and-set transitions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from agent.approvals import Decision, Stage, check_decision, check_role
from agent.errors import InvalidDecision, ProposalNotPending
from agent.facts import pick
from agent.playbooks import PLAYBOOKS
from agent.ports import PaymentPort, ToolFailure
from agent.proposals import PENDING_STATUSES, idempotency_key
from agent.store import AgentStore
from core.domain import ActionKind
from core.identity import Principal


async def amount_in_eur(port: PaymentPort, proposal: dict[str, Any]) -> float | None:
    """The proposal amount converted to EUR with the FX tool (None when it cannot be converted)."""
    amount, currency = proposal.get("amount"), (proposal.get("currency") or "").upper()
    if amount is None:
        return None
    if currency == "EUR":
        return float(amount)
    today = datetime.now(UTC).date()
    for back in range(5):  # today's rate, else the latest of the previous days (weekends, holidays)
        day = (today - timedelta(days=back)).isoformat()
        try:
            data = await port.read("get_fx_rate", {"base": currency, "quote": "EUR", "date": day})
            rate = pick(data, "rate", "mid", "value")
            return float(amount) * float(rate) if rate else None
        except ToolFailure:
            continue
        except (TypeError, ValueError):
            return None
    return None


def parse_decisions(raw: list[Any]) -> list[Decision]:
    """Typed decisions; a malformed one is an InvalidDecision."""
    if not raw:
        raise InvalidDecision("no decisions given")
    try:
        decisions = [d if isinstance(d, Decision) else Decision.model_validate(d) for d in raw]
    except ValidationError as exc:
        raise InvalidDecision(f"malformed decision: {exc.errors()[0].get('msg')}") from exc
    ids = [d.proposal_id for d in decisions]
    if len(ids) != len(set(ids)):
        raise InvalidDecision("one decision per proposal")
    return decisions


async def _edited(port: PaymentPort, proposal: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """Validate and re-draft edited arguments; the target payment and the action kind never change."""
    kind = ActionKind(proposal["kind"])
    try:
        clean = port.validate_args(kind, {**proposal["args"], **args})
    except (ValueError, ToolFailure) as exc:
        raise InvalidDecision(f"edited arguments are invalid: {str(exc)[:200]}") from exc
    if clean.get("reference") != proposal["args"].get("reference"):
        raise InvalidDecision(
            "an edit cannot change the target payment: reject and ask a new question instead"
        )
    code = clean.get("reason_code") or clean.get("investigation_type") or proposal["reason_code"]
    allowed = {c for pb in PLAYBOOKS.values() for c in pb.allowed.get(kind, ())}
    if code not in allowed:
        raise InvalidDecision(f"reason code {code} is not allowed for {kind.value}")
    try:
        draft = await port.draft(kind, clean)
    except ToolFailure as exc:
        raise InvalidDecision(f"edited action cannot be drafted: {exc.message}") from exc
    revision = int(proposal.get("revision") or 0) + 1
    return {
        "args": clean,
        "reason_code": code,
        "message_type": draft.get("message_type"),
        "iso_xml": draft.get("xml"),
        "revision": revision,
        "idempotency_key": idempotency_key(proposal["id"], kind.value, clean, revision),
    }


async def apply_decisions(
    store: AgentStore,
    port: PaymentPort,
    thread_id: str,
    decisions: list[Decision],
    approver: Principal,
    *,
    actions_enabled: bool,
) -> list[dict[str, Any]]:
    """Check every decision, then apply them; returns the decision records (for the graph and the audit)."""
    check_role(approver)
    prepared: list[tuple[Decision, dict[str, Any], dict[str, Any], Stage]] = []
    for decision in decisions:
        proposal = store.get_proposal(decision.proposal_id)
        amount_eur = (
            await amount_in_eur(port, proposal) if decision.action == "approve" and proposal else None
        )
        stage = check_decision(
            decision, proposal, approver, thread_id, actions_enabled=actions_enabled, amount_eur=amount_eur
        )
        assert proposal is not None
        if stage in ("compliance_signoff", "first_approval"):  # recorded; the proposal stays pending
            fields: dict[str, Any] = {"status": proposal["status"]}
        elif decision.action == "approve":
            fields = {
                "status": "approved",
                "decided_by": approver.username,
                "reason": decision.reason,
            }
        elif decision.action == "reject":
            fields = {"status": "rejected", "decided_by": approver.username, "reason": decision.reason}
        else:  # the editor becomes the requester: someone else must approve the edited version
            fields = {
                **await _edited(port, proposal, decision.args or {}),
                "status": "edited",
                "requested_by": approver.username,
                "decided_by": None,
                "reason": decision.reason,
            }
        prepared.append((decision, proposal, fields, stage))
    records = []
    for decision, proposal, fields, stage in prepared:
        event = {
            "event": stage if stage in ("compliance_signoff", "first_approval") else decision.action,
            "by": approver.username,
            "role": approver.role,
            "reason": decision.reason,
            "args": fields.get("args"),
        }
        if not store.transition(proposal["id"], expected=PENDING_STATUSES, history_event=event, **fields):
            raise ProposalNotPending(f"proposal {proposal['id']} was decided by someone else meanwhile")
        records.append(
            {
                "proposal_id": proposal["id"],
                "action": decision.action,
                "stage": stage,  # approve | compliance_signoff | first_approval | edit | reject
                "by": approver.username,
                "role": approver.role,
                "reason": decision.reason,
                "args": fields.get("args"),
                "previous_args": proposal["args"] if decision.action == "edit" else None,
            }
        )
    return records
