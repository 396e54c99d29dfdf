"""What one scenario run looked like: the harness's own record of turns, built from agent TurnResults."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

EXECUTED_STATUSES = frozenset({"executed", "done", "sent", "completed"})


class ToolCallRecord(BaseModel):
    """A read tool the agent called in a turn."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    result: Any = None
    error: Any = None
    evidence_id: str | None = None


class HitRecord(BaseModel):
    """A retrieved SOP section."""

    citation: str
    chunk_id: str | None = None
    version: str | None = None
    text: str = ""


class ProposalRecord(BaseModel):
    """An action the agent proposed, with its latest known status."""

    id: str
    kind: str
    args: dict[str, Any] = Field(default_factory=dict)
    reason_code: str | None = None
    message_type: str | None = None
    status: str = "proposed"
    requested_by: str | None = None
    turn: int | None = None


class DecisionRecord(BaseModel):
    """An approval decision the harness submitted and whether the service accepted it."""

    proposal_id: str | None
    proposal_kind: str
    action: str
    approver: str
    requester: str
    accepted: bool
    error: str | None = None


class TurnRecord(BaseModel):
    """One turn of a scenario as the evaluation sees it."""

    role: str
    content: str = ""
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    hits: list[HitRecord] = Field(default_factory=list)
    answer: str = ""
    evidence_ids: list[str] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)
    invalid_citations: list[str] = Field(default_factory=list)
    proposals: list[ProposalRecord] = Field(default_factory=list)
    decision: DecisionRecord | None = None
    status: str = ""
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    model: str | None = None
    llm_calls: int = 0
    tokens: int = 0
    llm_latency_s: float = 0.0
    llm_failures: int = 0
    error: str | None = None
    # Evidence-first agent fields (None when the agent does not report them).
    case_type: str | None = None
    case_type_source: str | None = None
    case_type_choices: list[Any] = Field(default_factory=list)
    findings: list[Any] = Field(default_factory=list)
    unsupported_claims: int | None = None
    latency_s: float | None = None
    wall_s: float | None = None  # measured by the harness around the whole ask call
    findings_latency_s: float | None = None


class Trajectory(BaseModel):
    """All turns of one scenario run."""

    case_id: str
    thread_id: str
    turns: list[TurnRecord] = Field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None
    final_proposals: list[ProposalRecord] = Field(default_factory=list)

    def analyst_turns(self) -> list[TurnRecord]:
        return [turn for turn in self.turns if turn.role == "analyst"]

    def tool_calls(self) -> list[ToolCallRecord]:
        return [call for turn in self.turns for call in turn.tool_calls]

    def retrieved_citations(self) -> list[str]:
        seen: dict[str, None] = {}
        for turn in self.turns:
            for hit in turn.hits:
                seen.setdefault(hit.citation, None)
        return list(seen)

    def proposals(self) -> list[ProposalRecord]:
        """Every proposal of the run, latest status wins (deduplicated by id)."""
        latest: dict[str, ProposalRecord] = {}
        for turn in self.turns:
            for proposal in turn.proposals:
                latest[proposal.id] = proposal
        for proposal in self.final_proposals:
            latest[proposal.id] = proposal
        return list(latest.values())

    def decisions(self) -> list[DecisionRecord]:
        return [turn.decision for turn in self.turns if turn.decision is not None]

    def final_answer(self) -> str:
        answers = [turn.answer for turn in self.turns if turn.answer]
        return answers[-1] if answers else ""

    def all_answers(self) -> str:
        return "\n".join(turn.answer for turn in self.turns if turn.answer)


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    raise TypeError(f"cannot read a turn result of type {type(result).__name__}")


def _hits(data: dict[str, Any]) -> list[HitRecord]:
    raw = data.get("retrieved") or data.get("hits") or data.get("retrieval") or []
    if isinstance(raw, dict):
        raw = raw.get("hits", [])
    hits = []
    for hit in raw:
        if isinstance(hit, dict) and hit.get("citation"):
            hits.append(
                HitRecord(
                    citation=str(hit["citation"]),
                    chunk_id=hit.get("chunk_id"),
                    version=None if hit.get("version") is None else str(hit.get("version")),
                    text=str(hit.get("text") or ""),
                )
            )
    return hits


def _invalid(raw: Any) -> list[str]:
    # The agent reports either the removed citations or only how many it removed.
    if isinstance(raw, int):
        return ["<removed citation>"] * raw
    return [str(c) for c in raw or []]


def _evidence_ids(data: dict[str, Any], calls: list[ToolCallRecord]) -> list[str]:
    ids = [
        str(item.get("id"))
        for item in data.get("evidence") or []
        if isinstance(item, dict) and item.get("id")
    ]
    ids += [call.evidence_id for call in calls if call.evidence_id]
    return list(dict.fromkeys(ids))


def proposal_from_row(raw: dict[str, Any]) -> ProposalRecord:
    """A proposal from a TurnResult entry or a proposals-store row."""
    return _proposal(raw)


def _proposal(raw: dict[str, Any]) -> ProposalRecord:
    return ProposalRecord(
        id=str(raw.get("id") or raw.get("proposal_id") or ""),
        kind=str(raw.get("kind", "")),
        args=raw.get("args") or {},
        reason_code=raw.get("reason_code"),
        message_type=raw.get("message_type"),
        status=str(raw.get("status") or "proposed"),
        requested_by=raw.get("requested_by") or raw.get("requester"),
        turn=raw.get("turn") if isinstance(raw.get("turn"), int) else None,
    )


def _llm_stats(calls: list[dict[str, Any]]) -> tuple[dict[str, str], str | None, int, float, int]:
    """Prompt versions, model, tokens, latency (s) and failed calls from the agent's LLM call records."""
    versions: dict[str, str] = {}
    model = None
    tokens = 0
    latency = 0.0
    failures = 0
    for call in calls:
        if call.get("prompt"):
            versions[str(call["prompt"])] = str(call.get("version") or call.get("prompt_version") or "")
        model = call.get("model") or model
        raw = call.get("tokens")
        if isinstance(raw, dict):
            raw = sum(v for v in raw.values() if isinstance(v, int | float))
        tokens += (
            int(raw or 0) + int(call.get("prompt_tokens") or 0) + int(call.get("completion_tokens") or 0)
        )
        if call.get("latency_ms") is not None:
            latency += float(call["latency_ms"]) / 1000
        else:
            latency += float(call.get("latency") or call.get("latency_s") or 0.0)
        failures += call.get("ok") is False
    return versions, model, tokens, latency, failures


def _seconds(data: dict[str, Any], *names: str) -> float | None:
    """The first of ``names`` present in the result (``*_ms`` keys are converted to seconds)."""
    raw = data.get("timings")
    timings: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for name in names:
        for source in (data, timings):
            value = source.get(name)
            if isinstance(value, int | float):
                return round(float(value) / 1000 if name.endswith("_ms") else float(value), 3)
    return None


def _count(raw: Any) -> int | None:
    # The verifier reports either how many sentences it removed or the removed sentences themselves.
    if raw is None:
        return None
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, list | tuple):
        return len(raw)
    return None


def _case_type_source(data: dict[str, Any]) -> str | None:
    # The evidence-first agent reports how it decided in ``classification.source`` (rule, trained, llm, ask, ...).
    classification = data.get("classification")
    if isinstance(classification, dict) and classification.get("source"):
        return str(classification["source"])
    return str(data["case_type_source"]) if data.get("case_type_source") else None


def turn_from_result(result: Any, *, role: str, content: str = "") -> TurnRecord:
    """Convert an agent TurnResult (pydantic model or its JSON dict) into a TurnRecord."""
    data = _as_dict(result)
    calls = [
        ToolCallRecord(
            tool=str(call.get("tool") or call.get("name") or ""),
            args=call.get("args") or {},
            ok=bool(call.get("ok", True)),
            result=call.get("result", call.get("summary")),
            error=call.get("error"),
            evidence_id=call.get("evidence_id") or call.get("id"),
        )
        for call in data.get("tool_calls") or []
    ]
    llm_calls = list(data.get("llm_calls") or [])
    versions, model, tokens, latency, failures = _llm_stats(llm_calls)
    return TurnRecord(
        role=role,
        content=content,
        tool_calls=calls,
        hits=_hits(data),
        evidence_ids=_evidence_ids(data, calls),
        answer=str(data.get("answer") or ""),
        citations=[str(c) for c in data.get("citations") or []],
        invalid_citations=_invalid(data.get("invalid_citations")),
        proposals=[_proposal(p) for p in data.get("proposals") or [] if isinstance(p, dict)],
        status=str(data.get("status") or ""),
        prompt_versions=versions,
        model=model,
        llm_calls=len(llm_calls),
        tokens=tokens,
        llm_latency_s=round(latency, 3),
        llm_failures=failures,
        case_type=str(data["case_type"]) if data.get("case_type") else None,
        case_type_source=_case_type_source(data),
        case_type_choices=list(data.get("case_type_choices") or []),
        findings=list(data.get("findings") or []),
        unsupported_claims=_count(data.get("unsupported_claims")),
        latency_s=_seconds(data, "latency_ms", "latency_s"),
        findings_latency_s=_seconds(
            data, "findings_latency_ms", "time_to_findings_ms", "findings_ms", "findings_s"
        ),
    )


def tool_result_text(call: ToolCallRecord, limit: int = 2000) -> str:
    """A tool result as short JSON text (for the ragas ToolMessage and the judge's contexts)."""
    payload = call.result if call.ok else {"error": call.error}
    text = json.dumps(payload, default=str, sort_keys=True)
    return text[:limit]
