"""Answer: one short LLM call (no tools bound) phrases the findings; the verifier checks every sentence.

Sentences are streamed to the analyst only after they pass the verifier. With the model off, slow
(``AgentConfig.answer_timeout_s``) or failing, or when nothing it wrote survives the check, the findings
are the answer. A ``general`` question (no payment) is answered from the retrieved sections, checked the same
way against their text.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.citations import validate_citations
from agent.context import AgentContext
from agent.events import emit
from agent.evidence import EvidenceView, tracker_status
from agent.excerpts import relevant_excerpt
from agent.findings import findings_text
from agent.llm.calls import text_call, timeout_record
from agent.nodes.classify import llm_on
from agent.pseudonymise import Pseudonymiser, StreamRestorer
from agent.state import AgentState
from agent.verifier import Sources, Verdict, known_codes, sentence_problems, split_sentences, verify
from core.domain import CaseType
from prompts import load_prompt

_SECTION_CHARS = 320
_MAX_SECTIONS = 3  # ~65 prompt tok/s on 2 cores: every section costs seconds


def _payment_view(state: AgentState) -> EvidenceView:
    refs = (state.get("references") or {}).get("payment_refs") or []
    return EvidenceView(state.get("evidence") or [], refs[0] if refs else None)


def payment_states(state: AgentState) -> set[str]:
    """The states that are true of the payment (what "credited", "rejected", "held" … may claim)."""
    view = _payment_view(state)
    if view.payment is None:
        return set()
    tracker = view.tracker()
    status, reason, _ = tracker_status(tracker[0]) if tracker else (view.payment.status, None, None)
    states = {"credited"} if status == "ACCC" else {"rejected"} if status == "RJCT" else set()
    if view.payment.returns:
        states.add("returned")
    screening = view.screening()
    if reason in ("G003", "G004") or (screening and screening[0].summary.get("held")):
        states.add("held")
    return states


def payment_position(state: AgentState) -> str | None:
    """The BIC of the agent the tracker places the payment at (or where it ended), when there is a tracker."""
    view = _payment_view(state)
    tracker = view.tracker() if view.payment is not None else None
    return tracker_status(tracker[0])[2] if tracker else None


# Findings the model does not need to phrase a short reply (the analyst sees them in the findings panel).
_NOT_FOR_MODEL = {"deadline", "procedure", "case", "case_note", "unseen", "question"}
_MODEL_LINES = 6


# A timestamp with its preposition ("on 2026-11-12 11:07 UTC", "since 2026-11-16 09:47 UTC", "sent 2026-11-20"):
# ~15 prompt tokens each, and the model's two sentences never need one (the checked findings under the reply
# carry them). Value-date findings keep theirs: there the dates are the finding.
_TIMESTAMP = re.compile(
    r",?\s*(?:\b(?:on|since|at|sent)\s+)?\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:\s*UTC)?"
)
_KEEPS_DATES = {"value_date"}


def _undated(text: str) -> str:
    text = re.sub(r"\(\s*,\s*", "(", re.sub(r"\(\s*\)", "", _TIMESTAMP.sub("", text)))
    return re.sub(r"\b(\w+) \(\1\)", r"\1", re.sub(r"\s+([.;,)])", r"\1", text))


def trusted_lines(findings: list[dict[str, Any]], *, brief: bool = False, undated: bool = False) -> list[str]:
    """The findings without quoted free text; ``brief``: the short set and wording sent to the model;
    ``undated`` (with ``brief``, for ``answer@v3``): also without their timestamps."""
    lines = []
    for f in findings:
        if f.get("untrusted") or (brief and f.get("kind") in _NOT_FOR_MODEL):
            continue
        ids = " ".join(f"[{e}]" for e in f.get("evidence_ids") or [])
        text = (f.get("brief") or f["text"]) if brief else f["text"]
        if undated and f.get("kind") not in _KEEPS_DATES:
            text = _undated(text)
        lines.append(f"{text} {ids}".strip())
    return lines[:_MODEL_LINES] if brief else lines


def section_lines(hits: list[dict[str, Any]], question: str = "") -> list[str]:
    return [
        f"[{h['citation']}] {h.get('section_title') or h.get('title') or ''}: "
        + relevant_excerpt(h.get("text") or "", question)
        for h in hits[:_MAX_SECTIONS]
    ]


def _general(state: AgentState) -> bool:
    return state.get("case_type") == CaseType.GENERAL.value and not (state.get("references") or {}).get(
        "payment_refs"
    )


def lookups_text(state: AgentState) -> str:
    """The checked findings as a list (for a general question: the retrieved sections with their citations)."""
    if _general(state) and state.get("hits"):
        return "\n".join(
            f"- {line}" for line in section_lines(state.get("hits") or [], state.get("message", ""))
        )
    return findings_text(state.get("findings") or []) or "- Nothing could be looked up."


def fallback_answer(state: AgentState, reason: str | None) -> str:
    """The findings themselves, with the reason there is no model reply."""
    head = f"(No model reply: {reason}.) " if reason else ""
    return f"{head}What the lookups show:\n{lookups_text(state)}"


_SENTENCE_END = re.compile(r"[.!?][)\]\"']*(?=\s|$)")


def finished_part(text: str) -> str:
    """``text`` up to its last finished sentence ("" when none finished)."""
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else ""


def composed_answer(reply: str, state: AgentState) -> str:
    """The model's verified summary first, then the checked findings it summarises: the analyst always
    gets every finding (the model's ~100 tokens cannot carry them all), and nothing unchecked."""
    return f"{reply.strip()}\n\nWhat the lookups show:\n{lookups_text(state)}"


class SentenceGate:
    """Streams a reply sentence by sentence, each one only after it passed the verifier."""

    def __init__(self, sources: Sources, check: bool = True) -> None:
        self.sources = sources
        self.check = check
        self.buffer = ""
        self.sent: set[str] = set()

    def feed(self, text: str) -> None:
        """Emit every complete sentence (the last part may still grow)."""
        self.buffer += text
        parts = split_sentences(self.buffer)
        if len(parts) > 1:
            for sentence in parts[:-1]:
                self._emit(sentence)
            self.buffer = parts[-1]

    def close(self) -> None:
        if self.buffer.strip():
            self._emit(self.buffer.strip())
        self.buffer = ""

    def _emit(self, sentence: str) -> None:
        if sentence.lower() not in self.sent and not (
            self.check and sentence_problems(sentence, self.sources)
        ):
            self.sent.add(sentence.lower())
            _token(sentence + " ")


async def _phrase(
    ctx: AgentContext, state: AgentState, sources: Sources
) -> tuple[str | None, dict[str, Any]]:
    pseudo = Pseudonymiser(state.get("pseudonyms"))
    for item in state.get("evidence") or []:
        if item.get("ok"):
            pseudo.learn(item.get("data"))
    general = _general(state)
    hits, found = state.get("hits") or [], state.get("findings") or []
    name = "general" if general else "answer"
    # One findings block, built and masked once: undated when the prompt version reads {{findings_undated}}
    # (answer@v3), with its timestamps otherwise (a prompt reads one of the two).
    undated = "findings_undated" in load_prompt(name, ctx.config.prompt_version(name)).variables
    lines = (
        section_lines(hits, state.get("message", ""))
        if general
        else trusted_lines(found, brief=True, undated=undated)
    )
    block = pseudo.mask("\n".join(lines) or "none")
    # answer@v1 named its inputs evidence/sections/proposals: the same findings fill them, so older prompt
    # versions pinned by an eval configuration still render.
    variables = {
        "message": pseudo.mask_message(state.get("message", "")),
        "findings": block,
        "findings_undated": block,
        "sections": block,
        "evidence": block,
        "case_type": state.get("case_type", ""),
        "proposals": "see the findings",
    }
    restorer, gate = StreamRestorer(pseudo), SentenceGate(sources, check=ctx.config.verifier)
    text, record = await asyncio.wait_for(
        text_call(
            ctx,
            name,
            variables,
            on_token=lambda t: gate.feed(restorer.feed(t)),
            max_tokens=ctx.config.answer_max_tokens,
            preamble=False,
        ),
        timeout=ctx.config.answer_timeout_s,
    )
    gate.feed(restorer.flush())
    truncated = int(record.get("completion_tokens") or 0) >= ctx.config.answer_max_tokens
    if truncated:  # the cap cut the reply mid-sentence: the unfinished sentence is neither shown nor kept
        gate.buffer = finished_part(gate.buffer)
        text = finished_part(text or "")
    gate.close()
    return (pseudo.unmask(text) if text and text.strip() else None), record


async def answer(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Phrase the findings (one call), keep only verified sentences, validate citations."""
    ctx = runtime.context
    general = _general(state)
    source_text = "\n".join(
        section_lines(state.get("hits") or [], state.get("message", ""))
        if general
        else trusted_lines(state.get("findings") or [])
    )
    sources = Sources(
        source_text,
        known_codes(),
        None if general else payment_states(state),
        position=None if general else payment_position(state),
    )
    llm_calls = list(state.get("llm_calls") or [])
    text: str | None = None
    reason: str | None = "the language model is switched off"
    removed: list[str] = []
    repetitions = 0
    if llm_on(ctx) and not state.get("case_type_choices") and (state.get("findings") or general):
        try:
            raw, record = await _phrase(ctx, state, sources)
        except TimeoutError:
            timeout = ctx.config.answer_timeout_s
            raw, record = None, timeout_record(ctx, "general" if general else "answer", timeout)
            reason = f"the model did not answer within {timeout:g} s"
        else:
            reason = (
                "the model call failed" if not record.get("ok") else "nothing the model wrote was supported"
            )
        llm_calls.append(record)
        if raw:
            # The verifier off (an eval degradation only) leaves every sentence the model wrote in the reply.
            verdict = verify(raw, sources) if ctx.config.verifier else Verdict(raw.strip(), [], 0)
            removed, repetitions = verdict.removed, verdict.repetitions
            text = composed_answer(verdict.text, state) if verdict.text else None
    elif state.get("case_type_choices"):
        reason = None
    if text is None:
        text = fallback_answer(state, reason)
    cleaned, citations, invalid = validate_citations(
        text,
        {i["id"] for i in state.get("evidence") or []},
        {h["citation"] for h in state.get("hits") or [] if h.get("citation")},
    )
    emit(
        "answer",
        {
            "text": cleaned,
            "citations": citations,
            "invalid_citations": invalid,
            "unsupported_claims": len(removed),
            "removed_sentences": removed,
            "repetitions_cut": repetitions,
        },
    )
    return {
        "answer": cleaned,
        "citations": citations,
        "invalid_citations": invalid,
        "unsupported_claims": len(removed),
        "llm_calls": llm_calls,
        "messages": [AIMessage(content=cleaned)],
    }


def _token(text: str) -> None:
    if text:
        emit("token", {"text": text})
