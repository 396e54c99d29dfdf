"""Execute reads: tools and retrieval run concurrently; every result or error becomes evidence with an id."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.derived import phase_one, phase_two
from agent.events import emit
from agent.facts import found_payments, new_references, ok_items, payment_keys, pick, tracker_summary
from agent.findings.codes import REASON_MEANING
from agent.ports import ToolFailure, hit_to_dict
from agent.state import AgentState
from agent.tool_messages import tool_messages
from core.domain import ABOUT_SECTION_TITLES, CaseType

_SUMMARY_CHARS = 260
# Keys that cost prompt tokens (UUIDs, per-hop message ids, audit timestamps) without helping the answer; the
# full result stays in the evidence item and in the audit record.
_NOISY_KEYS = {
    "uetr",
    "end_to_end_id",
    "instr_id",
    "msg_id",
    "tx_id",
    "created_at",
    "scenario_id",
    "payment_id",
    "debtor_account",
    "creditor_account",
    "purpose",
    "settlement_at",
    "requested_execution_date",
}
_REVEALING_TOOLS = {"search_payments", "find_duplicates", "get_cases"}
# Procedure sections read for the codes the evidence shows: two codes, two sections each (the playbook's query
# already brings the case type's procedure; these bring what the payment's own codes mean and require).
_MAX_CODE_QUERIES = 2
_CODE_K = 2
# Candidates a case type's procedure search ranks to find the best section of each of its other SOPs.
_SPREAD_POOL = 10


def code_queries(evidence: list[dict[str, Any]]) -> list[str]:
    """One procedure search per status reason code the payment's evidence shows (tracker first, then the
    payment's own reason), phrased as the code and its ISO meaning so both the lexical and the dense side match.
    Only structured code fields are read, and only codes with a known meaning: free text never makes a query."""
    codes: list[str] = []
    tracker = ok_items(evidence, "get_tracker")
    if tracker:
        codes.append(str(tracker_summary(tracker[0].get("data")).get("reason") or ""))
    payment = ok_items(evidence, "get_payment")
    if payment:
        codes.append(str(pick(payment[0].get("data"), "status_reason", "reason_code") or ""))
    known = [c for c in dict.fromkeys(codes) if c in REASON_MEANING]
    return [f"status reason {c}: {REASON_MEANING[c]}" for c in known[:_MAX_CODE_QUERIES]]


def summarise(data: Any, limit: int = _SUMMARY_CHARS) -> str:
    """A compact one-line JSON rendering of a tool result (scalars first, nested values shortened)."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in _NOISY_KEYS and v not in (None, "", [], {})}
        if isinstance(data.get("hops"), list):  # tracker: one short token per hop
            data["hops"] = [
                " ".join(str(h.get(k) or "") for k in ("agent_bic", "status", "reason")).strip()
                for h in data["hops"]
                if isinstance(h, dict)
            ]
        flat = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
        nested = sorted(
            ((k, v) for k, v in data.items() if isinstance(v, dict | list)), key=lambda kv: kv[0] != "summary"
        )
        text = json.dumps(flat, default=str, separators=(",", ":"))
        for key, value in nested:
            part = json.dumps(value, default=str, separators=(",", ":"))
            text += f" {key}=" + (part if len(part) <= 160 else part[:159] + "…")
    else:
        text = json.dumps(data, default=str, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def run_tool(ctx: AgentContext, step: dict[str, Any]) -> dict[str, Any]:
    emit("tool_call", {"tool": step["tool"], "args": step["args"]})
    started = time.perf_counter()
    item: dict[str, Any] = {"tool": step["tool"], "args": step["args"], "reference": step.get("reference")}
    try:
        data = await ctx.port.read(step["tool"], dict(step["args"]))
        item.update(ok=True, data=data, summary=summarise(data))
    except ToolFailure as exc:
        item.update(
            ok=False,
            error={"code": exc.code, "message": exc.message},
            summary=f"could not see {step['tool']}: {exc.message}",
        )
    except Exception as exc:  # a broken tool must become evidence, never a crashed turn
        item.update(
            ok=False,
            error={"code": "tool_failed", "message": str(exc)[:200]},
            summary=f"could not see {step['tool']}: {type(exc).__name__}",
        )
    item["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return item


def add_evidence(evidence: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Number the new items E<n> after the existing evidence, append them and announce each result."""
    for item in items:
        item["id"] = f"E{len(evidence) + 1}"
        evidence.append(item)
        emit("tool_result", {k: item[k] for k in ("id", "tool", "args", "ok", "summary", "latency_ms")})


def instructs(hit: dict[str, Any]) -> bool:
    """False for an SOP's Purpose and Scope sections: they say what a procedure is about, never what to do,
    so the agent's own searches (whose sections become the citations of a step) skip them."""
    return str(hit.get("section_title") or "").strip().lower() not in ABOUT_SECTION_TITLES


def _covers(hit: Any, case_type: str) -> bool:
    """True when the hit's SOP names ``case_type`` in its front matter (not only as a general procedure)."""
    types = hit.get("case_types") if isinstance(hit, dict) else getattr(hit, "case_types", None)
    return case_type in {str(getattr(t, "value", t)) for t in types or ()}


def every_procedure(found: list[Any], want: int, case_type: str | None) -> list[dict[str, Any]]:
    """The ``want`` best instructing sections, then the best one of each other SOP that names the case type
    among the candidates: a case type's checks are spread over several procedures (the gpi tracker's, the
    four-eyes rules, the cut-off calendar …) and one SOP's sections would otherwise take every place."""
    ranked = [(f, h) for f, h in ((f, hit_to_dict(f)) for f in found) if instructs(h)]
    hits = [h for _, h in ranked[:want]]
    if case_type:
        sops = {h["sop_id"] for h in hits}
        for f, h in ranked[want:]:
            if h["sop_id"] not in sops and _covers(f, case_type):
                sops.add(h["sop_id"])
                hits.append(h)
    return hits


async def _run_query(
    ctx: AgentContext, query: str, case_type: str, k: int | None = None, *, spread: bool = False
) -> tuple[str, list[dict[str, Any]], str | None]:
    """``spread``: also the best section of each other SOP of the case type (``every_procedure``)."""
    if ctx.retriever is None:
        return query, [], "the procedure index is not available"
    filter_type = None if case_type == CaseType.GENERAL.value else case_type
    want = k or ctx.config.retrieval_k
    pool = want + (_SPREAD_POOL if spread and filter_type else 2)
    try:
        found = await asyncio.to_thread(ctx.retriever.search, query, k=pool, case_type=filter_type)
        if not found and filter_type:  # a case type without its own SOP still gets the cross-cutting ones
            found = await asyncio.to_thread(ctx.retriever.search, query, k=want + 2)
        hits = every_procedure(found, want, filter_type if spread else None)
        return query, hits, None
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)  # a typed error's line for the user
        return query, [], f"procedure search failed: {message[:200]}"


async def execute_reads(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Run the plan's reads and queries in parallel and append the results to the evidence."""
    ctx = runtime.context
    plan = state.get("plan") or {}
    evidence = list(state.get("evidence") or [])
    known = len(evidence)
    hits = list(state.get("hits") or [])
    steps = plan.get("steps", [])
    queries = plan.get("queries", [])
    results = await asyncio.gather(
        *(run_tool(ctx, s) for s in steps),
        *(
            _run_query(ctx, q, state.get("case_type", ""), spread=ctx.config.spread_procedures)
            for q in queries
        ),
    )
    tool_items = list(results[: len(steps)])
    add_evidence(evidence, tool_items)
    attach_refs(evidence)
    for phase in (1, 2) if ctx.config.planner != "none" else ():  # "none": an eval degradation only
        derived = list(
            await asyncio.gather(
                *(run_tool(ctx, s) for s in _derived_steps(state, evidence, phase, ctx.port.read_tool_names))
            )
        )
        add_evidence(evidence, derived)
        tool_items += derived
    query_results = list(results[len(steps) :])
    if state.get("iteration", 0) == 0 and ctx.retriever is not None:
        fresh_codes = [q for q in code_queries(evidence) if q not in queries]
        query_results += await asyncio.gather(
            *(_run_query(ctx, q, state.get("case_type", ""), k=_CODE_K) for q in fresh_codes)
        )
    collect_hits(evidence, hits, query_results)
    if state.get("iteration", 0) == 0 and ctx.config.read_procedure and ctx.config.planner != "none":
        collect_hits(evidence, hits, await own_procedure(ctx, state.get("case_type", ""), hits))
    attach_refs(evidence)
    seen = set(state.get("seen_refs") or [])
    pending = [r for r in state.get("pending_refs") or [] if r not in seen]
    pending += revealed(tool_items, evidence, seen)
    round_id = f"r{state.get('iteration', 0) + 1}"
    messages = tool_messages(
        evidence[known:], thread_id=state.get("thread_id", ""), turn=state.get("turn", 0), round_id=round_id
    )
    return {
        "messages": messages,
        "evidence": evidence,
        "hits": hits,
        "iteration": state.get("iteration", 0) + 1,
        "pending_refs": list(dict.fromkeys(pending))[:2],
    }


async def own_procedure(
    ctx: AgentContext, case_type: str, known: list[dict[str, Any]]
) -> list[tuple[str, list[dict[str, Any]], str | None]]:
    """The sections of the case type's own SOP that the searches did not find (``Retriever.procedure``): the
    analyst and the approver see the whole procedure the case follows, not only the best-ranked sections.
    Appended after the searched sections, so what the reply quotes (the first few) does not change. A
    retriever without ``procedure`` (or the general case type) adds nothing; a failure is a retrieval error."""
    reader = getattr(ctx.retriever, "procedure", None)
    if reader is None or not case_type or case_type == CaseType.GENERAL.value:
        return []
    label = f"{case_type} procedure"
    try:
        found = await asyncio.to_thread(reader, case_type)
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        return [(label, [], f"procedure read failed: {message[:200]}")]
    cited = {h.get("citation") for h in known}
    fresh = [{**hit_to_dict(h), "score": None} for h in found]
    return [(label, [h for h in fresh if h["citation"] not in cited], None)]


def collect_hits(
    evidence: list[dict[str, Any]],
    hits: list[dict[str, Any]],
    query_results: list[tuple[str, list[dict[str, Any]], str | None]],
) -> None:
    """Append each search's new sections to ``hits`` (deduplicated by chunk) and announce them; a failed search
    becomes a ``retrieval`` evidence item saying so."""
    seen_chunks = {h["chunk_id"] for h in hits}
    for query, found, error in query_results:
        if error:
            evidence.append(
                {
                    "id": f"E{len(evidence) + 1}",
                    "tool": "retrieval",
                    "args": {"query": query},
                    "ok": False,
                    "summary": f"could not see the procedures: {error}",
                    "error": {"code": "retrieval_failed", "message": error},
                }
            )
        fresh = [h for h in found if h["chunk_id"] not in seen_chunks]
        seen_chunks.update(h["chunk_id"] for h in fresh)
        hits.extend(fresh)
        emit(
            "retrieval",
            {
                "query": query,
                "hits": [
                    {k: h.get(k) for k in ("chunk_id", "citation", "sop_id", "version", "score")}
                    for h in found
                ],
            },
        )


async def procedure_hits(
    ctx: AgentContext, queries: list[str], case_type: str, known: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``known`` plus the sections of ``queries`` (``_CODE_K`` each); used after the decision, so the approver
    sees the procedure of the proposed action. A failed search adds nothing (the findings already say whether
    the procedures were reachable)."""
    hits = list(known)
    if ctx.retriever is None or not queries:
        return hits
    results = await asyncio.gather(*(_run_query(ctx, q, case_type, k=_CODE_K) for q in queries))
    collect_hits([], hits, [r for r in results if r[2] is None])
    return hits


def revealed(items: list[dict[str, Any]], evidence: list[dict[str, Any]], seen: set[str]) -> list[str]:
    """Payment references that duplicates, cases or a search revealed and that nobody read yet."""
    known = seen | {r for i in evidence for r in i.get("refs", [])}
    found: list[str] = []
    for item in items:
        if item.get("ok") and item["tool"] in _REVEALING_TOOLS:
            refs = new_references(item.get("data"), known)
            # One reference per payment: a result that names payment ids also carries their UETRs/E2E ids.
            ids = [r for r in refs if r.startswith("PAY-")]
            found.extend(ids or refs)
    return found


def _derived_steps(
    state: AgentState, evidence: list[dict[str, Any]], phase: int, available: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Reads whose arguments come from the payment found (agent.derived), for the turn's first payment."""
    refs = (state.get("references") or {}).get("payment_refs") or []
    if not refs:
        return []
    build = phase_one if phase == 1 else phase_two
    return [s for s in build(state.get("case_type", ""), refs[0], evidence) if s["tool"] in available]


def attach_refs(evidence: list[dict[str, Any]]) -> None:
    """Every evidence item lists all references of the payment it is about (UETR, id, E2E)."""
    aliases: dict[str, set[str]] = {}
    for payment in found_payments(evidence).values():
        keys = payment_keys(payment)
        for key in keys:
            aliases.setdefault(key, set()).update(keys)
    for item in evidence:
        ref = item.get("reference")
        if ref:
            norm = ref.lower() if len(ref) == 36 else ref
            item["refs"] = sorted(aliases.get(norm, {norm}))
