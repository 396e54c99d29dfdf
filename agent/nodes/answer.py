"""Answer: an LLM call with no tools bound writes the reply from compact evidence and retrieved sections."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.citations import validate_citations
from agent.context import AgentContext
from agent.events import emit
from agent.llm.calls import text_call
from agent.nodes.intake import _llm_on
from agent.pseudonymise import Pseudonymiser, StreamRestorer
from agent.state import AgentState

_SECTION_CHARS = 240
_MAX_SECTIONS = 3  # ~65 prompt tok/s on 2 cores: every section costs seconds


def evidence_lines(evidence: list[dict[str, Any]], pseudo: Pseudonymiser) -> str:
    """One line per evidence item: id, tool, arguments and a compact, pseudonymised result."""
    lines = []
    for item in evidence:
        args = ",".join(f"{k}={v}" for k, v in (item.get("args") or {}).items())
        state = "ok" if item.get("ok") else "ERROR"
        if item.get("ok"):
            pseudo.learn(item.get("data"))
        lines.append(pseudo.mask(f"[{item['id']}] {item['tool']}({args}) {state}: {item.get('summary', '')}"))
    return "\n".join(lines) or "none"


def section_lines(hits: list[dict[str, Any]], pseudo: Pseudonymiser) -> str:
    """One short block per retrieved section, labelled with its citation."""
    blocks = []
    for hit in hits[:_MAX_SECTIONS]:
        text = " ".join((hit.get("text") or "").split())[:_SECTION_CHARS]
        blocks.append(
            pseudo.mask(f"[{hit['citation']}] {hit.get('section_title') or hit.get('title') or ''}: {text}")
        )
    return "\n".join(blocks) or "none"


def proposal_lines(proposals: list[dict[str, Any]]) -> str:
    return (
        "; ".join(
            f"{p['kind']} {p['reason_code']} ({p.get('message_type') or 'draft'}) on "
            f"{p['args'].get('reference', '?')}"
            for p in proposals
        )
        or "none"
    )


def fallback_answer(state: AgentState, reason: str) -> str:
    """Evidence-only reply when the model is switched off or failed."""
    lines = [f"(No model reply: {reason}.) What the lookups showed:"]
    lines += [f"- [{i['id']}] {i['summary']}" for i in state.get("evidence") or []]
    lines += [
        f"- procedure [{h['citation']}] {h.get('section_title') or h.get('title') or ''}"
        for h in state.get("hits") or []
    ]
    if state.get("proposals"):
        lines.append(f"Proposed (awaiting approval): {proposal_lines(state['proposals'])}.")
    return "\n".join(lines)


async def answer(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Write the reply, stream it with real values restored, then validate its citations."""
    ctx = runtime.context
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    evidence = state.get("evidence") or []
    hits = state.get("hits") or []
    llm_calls = list(state.get("llm_calls") or [])
    text: str | None = None
    if _llm_on(ctx):
        lines = evidence_lines(evidence, pseudo)  # learns the parties first, so the message masks them too
        variables = {
            "case_type": state.get("case_type", ""),
            "message": pseudo.mask_message(state.get("message", "")),
            "evidence": lines,
            "sections": section_lines(hits, pseudo),
            "proposals": proposal_lines(state.get("proposals") or []),
        }
        restorer = StreamRestorer(pseudo)
        text, record = await text_call(
            ctx,
            "answer",
            variables,
            on_token=lambda t: _token(restorer.feed(t)),
            max_tokens=ctx.config.answer_max_tokens,
        )
        _token(restorer.flush())
        llm_calls.append(record)
        text = pseudo.unmask(text) if text and text.strip() else None
    if text is None:
        text = fallback_answer(
            state, "the language model is switched off" if not _llm_on(ctx) else "the model call failed"
        )
    cleaned, citations, removed = validate_citations(
        text, {i["id"] for i in evidence}, {h["citation"] for h in hits if h.get("citation")}
    )
    emit("answer", {"text": cleaned, "citations": citations, "invalid_citations": removed})
    return {
        "answer": cleaned,
        "citations": citations,
        "invalid_citations": removed,
        "llm_calls": llm_calls,
        "pseudonyms": pseudo.mapping,
        "messages": [AIMessage(content=cleaned)],
    }


def _token(text: str) -> None:
    if text:
        emit("token", {"text": text})
