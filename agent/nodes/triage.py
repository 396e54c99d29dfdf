"""Triage reads: the whole cheap read bundle for every payment of the turn, at once, before any decision.

The payments of the turn are the references in the message, else the thread's payment (a follow-up), else
the payment the description matches (``search_payments``). Several matches are kept as candidates for the
analyst to pick from; no match is said plainly. Every result or error becomes evidence with an id.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.description import Description, parse_description, search_filters
from agent.events import emit
from agent.evidence import norm_ref, payment_from
from agent.nodes.reads import add_evidence, attach_refs, revealed, run_tool
from agent.state import AgentState
from agent.tool_messages import tool_messages
from tools.models import CaseRecord, Payment, PaymentSearch

BUNDLE = ("get_payment", "get_tracker", "get_cases", "get_screening", "get_risk_signals", "find_duplicates")
MAX_TARGETS = 3
MAX_CANDIDATES = 5


def _step(tool: str, args: dict[str, Any], reference: str | None) -> dict[str, Any]:
    return {"tool": tool, "args": args, "source": "triage", "reference": reference}


def _matches(item: dict[str, Any]) -> list[Payment]:
    if not item.get("ok"):
        return []
    try:
        return PaymentSearch.model_validate(item.get("data")).payments
    except ValueError:
        return []


def _narrow(found: list[Payment], desc: Description) -> list[Payment]:
    """Keep the matches whose debtor or creditor carries a name the analyst wrote (when that leaves any)."""
    if not desc.parties or len(found) < 2:
        return found
    names = [p.lower() for p in desc.parties]
    kept = [
        p for p in found if any(n in p.debtor_name.lower() or n in p.creditor_name.lower() for n in names)
    ]
    return kept or found


async def search_by_description(
    ctx: AgentContext, desc: Description
) -> tuple[list[dict[str, Any]], list[Payment]]:
    """Search with every filter; with no result and a party name, search again without the name."""
    items: list[dict[str, Any]] = []
    args = search_filters(desc)
    if args is None or "search_payments" not in ctx.port.read_tool_names:
        return items, []
    items.append(await run_tool(ctx, _step("search_payments", args, None)))
    found = _matches(items[-1])
    if not found and "party" in args and desc.amount:
        relaxed = search_filters(desc, with_party=False)
        if relaxed:
            items.append(await run_tool(ctx, _step("search_payments", relaxed, None)))
            found = _matches(items[-1])
    unique = list({p.id: p for p in found}.values())
    return items, _narrow(unique, desc)


def _account_steps(items: list[dict[str, Any]], available: tuple[str, ...]) -> list[dict[str, Any]]:
    """The creditor account of each payment found (closed or blocked accounts decide a return of funds)."""
    if "get_account" not in available:
        return []
    steps: list[dict[str, Any]] = []
    for item in items:
        payment = payment_from(item.get("data")) if item["tool"] == "get_payment" and item.get("ok") else None
        account = getattr(payment, "creditor_account", None) if payment else None
        if account and all(s["args"]["account"] != account for s in steps):
            steps.append(_step("get_account", {"account": str(account)}, item.get("reference")))
    return steps


async def payments_of_cases(ctx: AgentContext, case_ids: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Look the named cases up (``get_case``); the payments they are about become the turn's targets."""
    if not case_ids or "get_case" not in ctx.port.read_tool_names:
        return [], []
    steps = [_step("get_case", {"case_id": c}, None) for c in case_ids[:MAX_TARGETS]]
    items = list(await asyncio.gather(*(run_tool(ctx, s) for s in steps)))
    found = []
    for item in items:
        if item.get("ok"):
            try:
                payment_id = CaseRecord.model_validate(item.get("data")).payment_id
            except ValueError:
                continue
            if payment_id and payment_id not in found:
                found.append(payment_id)
    return items, found


_TWICE = re.compile(r"\b(?:twice|two times|double|duplicat\w*|paid again|sent again|same invoice)\b", re.I)


def duplicate_pair(found: list[Payment], message: str) -> Payment | None:
    """The first of the matches when they are one payment sent again and the analyst says so ("paid twice"):
    the pair is the subject, not a choice (the duplicates check and the playbook pick the later to recall)."""
    if not 2 <= len(found) <= 3 or not _TWICE.search(message):
        return None
    keys = {
        (
            p.debtor_name,
            p.creditor_name,
            p.instructed_amount,
            p.instructed_currency,
            str(p.creditor_agent_bic),
        )
        for p in found
    }
    if len(keys) != 1:
        return None
    return min(found, key=lambda p: (str(getattr(p, "created_at", "") or ""), p.id))


def candidate_row(p: Payment) -> dict[str, Any]:
    return {
        "payment_id": p.id,
        "amount": f"{p.instructed_amount} {p.instructed_currency}",
        "debtor": p.debtor_name,
        "creditor": p.creditor_name,
        "status": p.status,
        "created_at": str(getattr(p, "created_at", "") or ""),
    }


async def triage(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Find the turn's payments and read everything cheap about them concurrently."""
    ctx = runtime.context
    refs = dict(state.get("references") or {})
    targets = [norm_ref(r) for r in (refs.get("payment_refs") or [])][:MAX_TARGETS]
    source = "message"
    items: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    desc: Description | None = None
    if not targets and refs.get("case_ids"):  # "case CASE-000123: ..." names the payment through its case
        items, targets = await payments_of_cases(ctx, list(refs["case_ids"]))
        source = "case" if targets else source
    if not targets and state.get("thread_payment"):
        targets, source = [str(state["thread_payment"])], "thread"
    if not targets:
        desc = parse_description(state.get("message", ""))
        if desc.usable():
            items, found = await search_by_description(ctx, desc)
            pair = duplicate_pair(found, state.get("message", ""))
            if len(found) == 1:
                targets, source = [found[0].id], "search"
            elif pair is not None:
                targets, source = [pair.id], "search_pair"
                candidates = [candidate_row(p) for p in found[:MAX_CANDIDATES]]
            else:
                source = "search_several" if found else "search_none"
                candidates = [candidate_row(p) for p in found[:MAX_CANDIDATES]]
        else:
            source = "none"
    available = ctx.port.read_tool_names
    steps = [_step(t, {"reference": r}, r) for r in targets for t in BUNDLE if t in available]
    reads = list(await asyncio.gather(*(run_tool(ctx, s) for s in steps)))
    reads += await asyncio.gather(*(run_tool(ctx, s) for s in _account_steps(reads, available)))
    evidence = list(state.get("evidence") or [])
    known = len(evidence)
    add_evidence(evidence, [*items, *reads])
    attach_refs(evidence)
    refs["payment_refs"] = targets
    # A twin payment named by the duplicates check or a case gets the playbook's reads in the next round.
    pending = revealed(reads, evidence, set(targets)) if targets else []
    info = {
        "targets": targets,
        "source": source,
        "candidates": candidates,
        "description": desc.to_dict() if desc else None,
        "reads": len(items) + len(reads),
    }
    emit("triage", info)
    messages = tool_messages(
        evidence[known:], thread_id=state.get("thread_id", ""), turn=state.get("turn", 0), round_id="triage"
    )
    return {
        "messages": messages,
        "evidence": evidence,
        "references": refs,
        "triage": info,
        "seen_refs": targets,
        "pending_refs": list(dict.fromkeys(pending))[:2],
    }
