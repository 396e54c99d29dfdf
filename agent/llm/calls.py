"""LLM calls of the nodes: render a versioned prompt, call the model, record tokens and latency."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from agent.context import AgentContext
from agent.events import emit
from prompts import load_prompt

M = TypeVar("M", bound=BaseModel)
# LangGraph's tag that keeps a model call out of the ``messages`` stream mode (langgraph.constants.TAG_NOSTREAM).
NOSTREAM = "nostream"

# The embedded llama.cpp server runs one slot per prompt family, so each keeps its own static prefix in the
# KV cache (intake, plan and answer prompts alternate within a turn and would evict each other in one slot).
# Agent services that call it at the same time (the eval's lanes) each use their own group of these slots
# (``Settings.llm_slot_group``), so their generations are batched instead of queued on one slot.
EMBEDDED_SLOTS = {"intake": 0, "plan": 1, "answer": 2, "general": 3}
# Upper bounds on generated tokens: generation runs at ~20 tok/s on 2 cores.
MAX_TOKENS = {"intake": 48, "plan": 200}


def _model_for(ctx: AgentContext, name: str) -> Any:
    """The chat model for one prompt: pinned to its cache slot and capped when the provider is embedded."""
    model: Any = ctx.chat_model
    if ctx.provider != "embedded":
        return model
    slot = EMBEDDED_SLOTS.get(name, EMBEDDED_SLOTS["answer"]) + len(EMBEDDED_SLOTS) * ctx.slot_group
    update: dict[str, Any] = {"extra_body": {"id_slot": slot}}
    if name in MAX_TOKENS:
        update["max_tokens"] = MAX_TOKENS[name]
    return model.model_copy(update=update)


def _preamble(ctx: AgentContext) -> str:
    """The shared static prefix of every call (case types and tools): identical bytes, so the cache hits."""
    from agent.tool_args import TOOL_HINTS
    from core.domain import CASE_TYPE_DESCRIPTIONS

    case_types = "\n".join(f"- {ct.value}: {desc}" for ct, desc in CASE_TYPE_DESCRIPTIONS.items())
    tools = "\n".join(f"- {name}: {TOOL_HINTS.get(name, name)}" for name in ctx.port.read_tool_names)
    return load_prompt("common", ctx.config.prompt_version("common")).render(
        case_types=case_types, tools=tools
    )[0]


def _messages(
    ctx: AgentContext, name: str, variables: dict[str, Any], preamble: bool = True
) -> tuple[list[Any], str]:
    """The call's messages; ``preamble=False`` leaves out the shared prefix (a short answer prompt is its own
    static prefix, so the server's cache still reuses it)."""
    version = ctx.config.prompt_version(name)
    system, user = load_prompt(name, version).render(**variables)
    head = f"{_preamble(ctx)}\n\n{system}" if preamble else system
    return [SystemMessage(content=head), HumanMessage(content=user)], version


def _usage(message: Any) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0) or 0), int(usage.get("output_tokens", 0) or 0)


def _record(ctx: AgentContext, name: str, version: str, started: float, raw: Any, error: str | None) -> dict:
    prompt_tokens, completion_tokens = _usage(raw)
    record = {
        "prompt": name,
        "version": version,
        "provider": ctx.provider,
        "model": ctx.model_name,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "ok": error is None,
        "error": error,
    }
    emit("llm_call", record)
    return record


def _traced(name: str, version: str) -> Any:
    """The call's run config: kept out of the token stream, and named with its prompt and version in the trace
    (the LangChain instrumentor's span ``llm <prompt>``, metadata ``payinvest.prompt[_version]``)."""
    return {
        "tags": [NOSTREAM],
        "run_name": f"llm {name}",
        "metadata": {"payinvest.prompt": name, "payinvest.prompt_version": version},
    }


async def structured_call(
    ctx: AgentContext, name: str, variables: dict[str, Any], schema: type[M]
) -> tuple[M | None, dict[str, Any]]:
    """Structured output through a JSON schema; returns (parsed or None, call record)."""
    assert ctx.chat_model is not None
    messages, version = _messages(ctx, name, variables)
    started = time.perf_counter()
    raw: Any = None
    try:
        runnable = (
            _model_for(ctx, name)
            .with_structured_output(schema, method="json_schema", include_raw=True)
            .with_config(_traced(name, version))
        )
        result: Any = await runnable.ainvoke(messages)
        raw, parsed, error = result.get("raw"), result.get("parsed"), result.get("parsing_error")
        if parsed is None and error is None:
            error = "no structured output"
        return (parsed if error is None else None), _record(ctx, name, version, started, raw, _short(error))
    except Exception as exc:  # a provider or network failure must not kill the turn
        return None, _record(ctx, name, version, started, raw, _short(exc))


async def text_call(
    ctx: AgentContext,
    name: str,
    variables: dict[str, Any],
    on_token: Callable[[str], None] | None = None,
    max_tokens: int | None = None,
    preamble: bool = True,
) -> tuple[str | None, dict[str, Any]]:
    """A plain completion with no tools bound, streamed token by token to ``on_token``."""
    assert ctx.chat_model is not None
    messages, version = _messages(ctx, name, variables, preamble)
    started = time.perf_counter()
    model: Any = _model_for(ctx, name)
    if max_tokens and ctx.provider != "scripted":
        model = model.bind(max_tokens=max_tokens)
    # The tokens carry pseudonyms and unverified sentences: the node streams what passes (``on_token``) and
    # writes the restored reply to ``messages``.
    model = model.with_config(_traced(name, version))
    text, final = "", None
    try:
        async for chunk in model.astream(messages):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            text += piece
            if piece and on_token:
                on_token(piece)
            final = chunk if final is None else final + chunk
        return text, _record(ctx, name, version, started, final, None)
    except Exception as exc:
        return None, _record(ctx, name, version, started, final, _short(exc))


def timeout_record(ctx: AgentContext, name: str, timeout_s: float) -> dict[str, Any]:
    """The call record (emitted as ``llm_call``) of a call dropped after ``timeout_s``."""
    record = {
        "prompt": name,
        "version": ctx.config.prompt_version(name),
        "provider": ctx.provider,
        "model": ctx.model_name,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "latency_ms": timeout_s * 1000,
        "ok": False,
        "error": f"timeout after {timeout_s} s",
    }
    emit("llm_call", record)
    return record


def _short(error: Any) -> str | None:
    if error is None:
        return None
    return f"{type(error).__name__}: {error}"[:300]


# Prompts sent without the shared preamble: each is a short static prefix of its own.
SHORT_PROMPTS = frozenset({"answer", "general"})


async def warm_prompt_cache(
    ctx: AgentContext, names: tuple[str, ...] = ("answer", "general")
) -> dict[str, float]:
    """Pre-fill each embedded slot with its prompt's static prefix, so the first real turn skips that work."""
    if ctx.provider != "embedded" or ctx.chat_model is None:
        return {}
    timings: dict[str, float] = {}
    for name in names:
        prompt = load_prompt(name, ctx.config.prompt_version(name))
        system = prompt.render(**{variable: "" for variable in prompt.variables})[0]
        head = system if name in SHORT_PROMPTS else f"{_preamble(ctx)}\n\n{system}"
        started = time.perf_counter()
        await (
            _model_for(ctx, name)
            .bind(max_tokens=1)
            .ainvoke([SystemMessage(content=head), HumanMessage(content="ready")])
        )
        timings[name] = round(time.perf_counter() - started, 2)
    return timings
