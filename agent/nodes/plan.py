"""Plan: the case type's playbook (the default planner), or a structured JSON plan from the LLM completed by
the playbook (``AgentConfig.planner = "llm"``, for capable hosted models). Reads the triage already made are
not repeated."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field, create_model

from agent.context import AgentContext
from agent.events import emit
from agent.llm.calls import structured_call
from agent.nodes.classify import llm_on
from agent.playbooks import playbook_for
from agent.pseudonymise import Pseudonymiser
from agent.references import compact_references
from agent.state import AgentState
from agent.tool_args import build_args
from core.domain import PAYMENT_REFERENCE_PATTERN, CaseType


@lru_cache(maxsize=8)
def plan_schema(tool_names: tuple[str, ...]) -> type[BaseModel]:
    """The JSON schema of a plan: tool names from an enum, references matching the id patterns."""
    tool_type: Any = Literal[tool_names]  # type: ignore[valid-type]
    step = create_model(
        "PlanStep",
        tool=(tool_type, Field(description="A read tool.")),
        reference=(
            str | None,
            Field(
                default=None,
                pattern=f"^{PAYMENT_REFERENCE_PATTERN}$",
                description="A payment reference from the message, or null.",
            ),
        ),
    )
    return create_model(
        "Plan",
        steps=(list[step], Field(default_factory=list, max_length=4, description="Read steps.")),  # type: ignore[valid-type]
        queries=(
            list[Annotated[str, Field(max_length=80)]],
            Field(default_factory=list, max_length=2, description="1-2 short procedure searches."),
        ),
    )


def _step(tool: str, reference: str | None, refs: dict[str, list[str]], source: str) -> dict[str, Any] | None:
    args = build_args(tool, reference, refs)
    return None if args is None else {"tool": tool, "args": args, "source": source, "reference": reference}


def _add(steps: list[dict[str, Any]], step: dict[str, Any] | None) -> None:
    if step and all((s["tool"], s["args"]) != (step["tool"], step["args"]) for s in steps):
        steps.append(step)


def _not_done(steps: list[dict[str, Any]], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the reads the evidence already holds (the triage bundle), successful or not."""
    done = {(i.get("tool"), str(sorted((i.get("args") or {}).items()))) for i in evidence}
    return [s for s in steps if (s["tool"], str(sorted(s["args"].items()))) not in done]


async def plan(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """First round: LLM plan + playbook; later rounds: the playbook's reads of newly revealed references."""
    ctx = runtime.context
    refs = state.get("references") or {}
    case_type = state.get("case_type") or CaseType.GENERAL.value
    playbook = playbook_for(case_type)
    available = ctx.port.read_tool_names
    seen = list(state.get("seen_refs") or [])
    iteration = state.get("iteration", 0)
    steps: list[dict[str, Any]] = []
    queries: list[str] = []
    llm_calls = list(state.get("llm_calls") or [])
    source = "playbook"

    if iteration == 0:
        targets = (refs.get("payment_refs") or [])[:2]
        if ctx.config.planner == "llm" and llm_on(ctx):
            pseudo = Pseudonymiser(state.get("pseudonyms"))
            masked = pseudo.mask_message(state.get("message", ""))
            parsed: Any
            parsed, record = await structured_call(
                ctx,
                "plan",
                {
                    "case_type": case_type,
                    "message": masked,
                    "references": pseudo.mask(compact_references(refs)),
                },
                plan_schema(available),
            )
            llm_calls.append(record)
            if parsed is not None:
                source = "llm+playbook"
                for item in parsed.steps:
                    # Only references the analyst gave: an invented or altered id falls back to the first one.
                    reference = (
                        item.reference if item.reference in targets else (targets[0] if targets else None)
                    )
                    _add(steps, _step(item.tool, reference, refs, "llm"))
                queries = [q.strip()[:200] for q in parsed.queries if q.strip()]
    else:
        targets = [r for r in state.get("pending_refs") or [] if r not in seen][:2]

    if ctx.config.planner == "none":  # the "no planner" degradation: the triage bundle is all that is read
        result = {"steps": [], "queries": [], "source": "none", "iteration": iteration + 1}
        emit("plan", result)
        return {"plan": result, "llm_calls": llm_calls, "seen_refs": list(dict.fromkeys([*seen, *targets]))}
    for reference in targets:
        for tool in playbook.mandatory_reads:
            if tool in available:
                _add(steps, _step(tool, reference, refs, "playbook"))
    if iteration == 0:
        mandatory = list(playbook.queries)
        if not mandatory and not queries:
            mandatory = [state.get("message", "")[:200]]
        queries = list(dict.fromkeys([*mandatory, *queries]))[: ctx.config.max_queries]

    steps = _not_done(steps, state.get("evidence") or [])
    result = {"steps": steps, "queries": queries, "source": source, "iteration": iteration + 1}
    emit("plan", result)
    return {"plan": result, "llm_calls": llm_calls, "seen_refs": list(dict.fromkeys([*seen, *targets]))}
