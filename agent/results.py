"""TurnResult: the stable outcome of one turn (``payinvest ask --json``, evals, the web app)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ToolCall(BaseModel):
    """One read tool call as evidence (errors included)."""

    id: str = Field(description="Evidence id, e.g. E2.")
    name: str
    args: dict[str, Any]
    ok: bool
    summary: str
    error: dict[str, Any] | None = None


class RetrievedSection(BaseModel):
    """One retrieved SOP section."""

    chunk_id: str
    citation: str
    sop_id: str | None = None
    section: str | None = None
    title: str | None = None
    version: str | None = None
    score: float | None = None


class TurnResult(BaseModel):
    """Everything one turn produced; ``model_dump(mode="json")`` is the documented JSON contract."""

    schema_version: Literal[1] = 1
    thread_id: str
    turn: int
    user: str
    status: Literal["answered", "awaiting_approval", "completed"]
    case_type: str
    references: dict[str, list[str]] = Field(default_factory=dict)
    answer: str
    citations: list[str] = Field(default_factory=list)
    invalid_citations: int = 0
    plan: dict[str, Any] = Field(default_factory=dict)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    retrieved: list[RetrievedSection] = Field(default_factory=list)
    proposals: list[dict[str, Any]] = Field(default_factory=list)
    blocked: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[dict[str, Any]] = Field(default_factory=list)
    executions: list[dict[str, Any]] = Field(default_factory=list)
    llm_calls: list[dict[str, Any]] = Field(default_factory=list)
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    iterations: int = 0
    latency_ms: float | None = None
    findings: list[dict[str, Any]] = Field(default_factory=list)
    classification: dict[str, Any] = Field(default_factory=dict)
    case_type_choices: list[str] = Field(default_factory=list)
    unsupported_claims: int = 0
    triage: dict[str, Any] = Field(default_factory=dict)
    release_id: str | None = Field(
        default=None, description="The serving release (core.releases) of the turn."
    )


def result_from_state(
    values: dict[str, Any],
    *,
    status: str,
    proposals: list[dict[str, Any]],
    prompt_versions: dict[str, str],
    latency_ms: float | None,
) -> TurnResult:
    """Build the TurnResult from a checkpointed state and the proposals store rows of the turn."""
    evidence = [e for e in values.get("evidence") or [] if e.get("tool") != "retrieval"]
    return TurnResult(
        thread_id=values.get("thread_id", ""),
        turn=values.get("turn", 0),
        user=values.get("user", ""),
        status=status,  # type: ignore[arg-type]
        case_type=values.get("case_type", ""),
        references=values.get("references") or {},
        answer=values.get("answer", ""),
        citations=values.get("citations") or [],
        invalid_citations=values.get("invalid_citations", 0),
        plan=values.get("plan") or {},
        tool_calls=[
            ToolCall(
                id=e["id"],
                name=e["tool"],
                args=e.get("args") or {},
                ok=bool(e.get("ok")),
                summary=e.get("summary", ""),
                error=e.get("error"),
            )
            for e in evidence
        ],
        retrieved=[
            RetrievedSection(**{k: h.get(k) for k in RetrievedSection.model_fields if k in h})
            for h in values.get("hits") or []
            if h.get("chunk_id") and h.get("citation")
        ],
        proposals=proposals,
        blocked=values.get("blocked") or [],
        decisions=values.get("decisions") or [],
        executions=values.get("executions") or [],
        llm_calls=values.get("llm_calls") or [],
        prompt_versions=prompt_versions,
        iterations=values.get("iteration", 0),
        latency_ms=latency_ms,
        findings=values.get("findings") or [],
        classification=values.get("classification") or {},
        case_type_choices=values.get("case_type_choices") or [],
        unsupported_claims=values.get("unsupported_claims", 0),
        triage=values.get("triage") or {},
    )
