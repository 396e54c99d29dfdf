"""``payinvest bench agent``: orchestration overhead per turn (zero-latency model) and embedded-model turns."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from core.settings import Settings

BUDGET_OVERHEAD_P50_MS = 50.0
BUDGET_FINDINGS_P50_S = 1.5
BUDGET_TURN_P50_S = 12.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def _questions() -> list[str]:
    from sandbox.scenarios import load_scenarios

    return [s.analyst_message for s in load_scenarios()]


async def _pure_reads(systems: Any, retriever: Any, result: Any) -> float:
    """The same turn's tool calls and queries, run the same way (concurrently) without the graph."""
    from core.domain import ActionKind
    from tools.registry import call_read_tool, draft_action

    async def tool(call: Any) -> None:
        try:
            await call_read_tool(systems, call.name, call.args)
        except Exception:  # errors are part of the turn too (the graph records them as evidence)
            return

    async def query(q: str) -> None:
        await asyncio.to_thread(retriever.search, q, k=4, case_type=None)

    async def draft(proposal: dict[str, Any]) -> None:
        await draft_action(systems, ActionKind(proposal["kind"]), proposal["args"])

    started = time.perf_counter()
    await asyncio.gather(
        *(tool(c) for c in result.tool_calls), *(query(q) for q in result.plan.get("queries", []))
    )
    await asyncio.gather(
        *(draft(p) for p in result.proposals)
    )  # drafting runs after the reads in the graph too
    return (time.perf_counter() - started) * 1000


async def _scripted(settings: Settings, turns: int, workdir: Path) -> dict[str, Any]:
    import httpx

    from agent.service import AgentService
    from bench.scripted_model import BenchChatModel
    from retrieval.search import open_retriever
    from sandbox.api import in_process_app
    from tools.registry import PaymentSystems

    run_settings = Settings(
        data_dir=workdir,
        payments_database_url=settings.payments_db_url,
        payments_api_url=settings.payments_api_url,
    )
    transport = (
        None if run_settings.payments_api_url else httpx.ASGITransport(app=in_process_app(run_settings))
    )
    systems = PaymentSystems.from_settings(run_settings, transport=transport)
    retriever = open_retriever(settings)
    service = AgentService(run_settings, chat_model=BenchChatModel(), systems=systems, retriever=retriever)
    questions = _questions()
    turn_ms: list[float] = []
    pure_ms: list[float] = []
    turn_cpu: list[float] = []
    pure_cpu: list[float] = []
    load_before = os.getloadavg()[0]
    try:
        await service.ask(questions[0])  # warm-up: imports, checkpointer tables, embedder
        for i in range(turns):
            started, cpu = time.perf_counter(), time.process_time()
            result = await service.ask(questions[i % len(questions)])
            turn_ms.append((time.perf_counter() - started) * 1000)
            turn_cpu.append((time.process_time() - cpu) * 1000)
            cpu = time.process_time()
            pure_ms.append(await _pure_reads(systems, retriever, result))
            pure_cpu.append((time.process_time() - cpu) * 1000)
    finally:
        await service.aclose()
        await systems.aclose()
    overhead = [t - p for t, p in zip(turn_ms, pure_ms, strict=True)]
    overhead_cpu = [t - p for t, p in zip(turn_cpu, pure_cpu, strict=True)]
    return {
        "load_average_1m": round(load_before, 2),
        "cpu_ms": {
            "turn_p50": _pct(turn_cpu, 0.5),
            "pure_p50": _pct(pure_cpu, 0.5),
            "overhead_p50": _pct(overhead_cpu, 0.5),
            "overhead_p95": _pct(overhead_cpu, 0.95),
        },
        "turns": turns,
        "turn_ms": {"p50": _pct(turn_ms, 0.5), "p95": _pct(turn_ms, 0.95)},
        "pure_tools_retrieval_ms": {"p50": _pct(pure_ms, 0.5), "p95": _pct(pure_ms, 0.95)},
        "overhead_ms": {"p50": _pct(overhead, 0.5), "p95": _pct(overhead, 0.95)},
        "budget_overhead_p50_ms": BUDGET_OVERHEAD_P50_MS,
        "within_budget": _pct(overhead, 0.5) <= BUDGET_OVERHEAD_P50_MS,
        "note": "overhead = turn wall time - the same reads and drafts replayed right after (warm caches: "
        "conservative); cpu_ms is process CPU time (all threads), less sensitive to other load",
    }


def _token_rates(calls: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """Prompt and generation tokens per second by least squares over (prompt, completion) tokens → latency."""
    import numpy as np

    rows = [
        (c["prompt_tokens"], c["completion_tokens"], c["latency_ms"] / 1000)
        for c in calls
        if c.get("ok") and c.get("prompt_tokens")
    ]
    if len(rows) < 3:
        return None, None
    data = np.array(rows, dtype=float)
    coef, *_ = np.linalg.lstsq(data[:, :2], data[:, 2], rcond=None)
    per_prompt, per_completion = (float(c) for c in coef)
    return (
        round(1 / per_prompt, 1) if per_prompt > 0 else None,
        round(1 / per_completion, 1) if per_completion > 0 else None,
    )


async def _timed_turn(service: Any, message: str) -> tuple[float | None, float, Any]:
    """(seconds to the findings event, seconds to the whole turn, TurnResult JSON) of one streamed turn."""
    started = time.perf_counter()
    findings_at: float | None = None
    result: Any = None
    async for event in service.stream(message):
        if event["type"] == "findings" and findings_at is None:
            findings_at = time.perf_counter() - started
        if event["type"] == "turn":
            result = event["data"]
    return findings_at, time.perf_counter() - started, result


async def _embedded(
    settings: Settings, questions: int, workdir: Path, answer_timeout_s: float | None = None
) -> dict[str, Any]:
    from agent.config import AgentConfig
    from agent.service import AgentService

    run_settings = settings.model_copy(
        update={"data_dir": workdir, "payments_database_url": settings.payments_db_url}
    )
    from agent.llm.factory import make_chat_model
    from retrieval.search import open_retriever

    config = AgentConfig(max_iterations=settings.max_plan_iterations)
    if answer_timeout_s:
        config = config.model_copy(update={"answer_timeout_s": answer_timeout_s})
    service = AgentService(
        run_settings, chat_model=make_chat_model(settings), retriever=open_retriever(settings), config=config
    )
    latencies: list[float] = []
    to_findings: list[float] = []
    calls: list[dict[str, Any]] = []
    per_turn: list[dict[str, int]] = []
    fallbacks = unsupported = 0
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        await service.start()  # model load, classifier, prompt-cache warm-up: once per process
        startup_s = time.perf_counter() - started
        for message in _questions()[:questions]:
            findings_s, turn_s, result = await _timed_turn(service, message)
            latencies.append(turn_s)
            if findings_s is not None:
                to_findings.append(findings_s)
            calls.extend(result["llm_calls"])
            fallbacks += int(result["answer"].startswith("(No model reply") or not result["llm_calls"])
            unsupported += int(result.get("unsupported_claims") or 0)
            per_turn.append(
                {
                    "prompt": sum(c["prompt_tokens"] for c in result["llm_calls"]),
                    "completion": sum(c["completion_tokens"] for c in result["llm_calls"]),
                    "calls": len(result["llm_calls"]),
                }
            )
    finally:
        await service.aclose()
    prompt_rate, gen_rate = _token_rates(calls)
    floor = (
        [t["prompt"] / prompt_rate + t["completion"] / gen_rate for t in per_turn]
        if prompt_rate and gen_rate
        else []
    )
    return {
        "questions": len(latencies),
        "load_average_1m": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "startup_s": round(startup_s, 1),
        "findings_s": {"p50": _pct(to_findings, 0.5), "p95": _pct(to_findings, 0.95)},
        "turn_s": {"p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95)},
        "budget_findings_p50_s": BUDGET_FINDINGS_P50_S,
        "budget_turn_p50_s": BUDGET_TURN_P50_S,
        "llm_calls_per_turn": statistics.median(t["calls"] for t in per_turn) if per_turn else 0,
        "prompt_tokens_per_turn": statistics.median(t["prompt"] for t in per_turn) if per_turn else 0,
        "completion_tokens_per_turn": statistics.median(t["completion"] for t in per_turn) if per_turn else 0,
        "prompt_tok_per_s": prompt_rate,
        "generation_tok_per_s": gen_rate,
        "floor_s_p50": _pct(floor, 0.5) if floor else None,
        "ratio_to_floor_p50": round(_pct(latencies, 0.5) / _pct(floor, 0.5), 2)
        if floor and _pct(floor, 0.5)
        else None,
        "answer_timeout_s": config.answer_timeout_s,
        "answers_from_findings": fallbacks,
        "unsupported_sentences_removed": unsupported,
        "note": "floor = the turn's prompt and completion tokens at the rates fitted over this run's calls "
        "(the time the model alone needs); findings_s = message to the findings event",
    }


def run(
    settings: Settings,
    *,
    embedded: bool,
    turns: int,
    questions: int = 10,
    answer_timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run the benchmark; numbers are medians/percentiles of one run on this machine."""
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        result: dict[str, Any] = {"benchmark": "agent"}
        result["scripted"] = asyncio.run(_scripted(settings, max(turns, 5), Path(tmp) / "scripted"))
        if embedded:
            result["embedded"] = asyncio.run(
                _embedded(settings, questions, Path(tmp) / "embedded", answer_timeout_s)
            )
        return result


def _answer_config(base: Any, prompt: str, max_tokens: int) -> Any:
    versions = {**base.prompt_versions, "answer": prompt}
    return base.model_copy(update={"prompt_versions": versions, "answer_max_tokens": max_tokens})


def _side(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "turn_s_p50": _pct([r["turn_s"] for r in rows], 0.5),
        "llm_s_p50": _pct([r["llm_s"] for r in rows], 0.5),
        "llm_s_total": round(sum(r["llm_s"] for r in rows), 1),
        "completion_tokens_p50": _pct([float(r["completion"]) for r in rows], 0.5),
        "prompt_tokens_p50": _pct([float(r["prompt"]) for r in rows], 0.5),
        "answers_from_findings": sum(r["fallback"] for r in rows),
        "unsupported_sentences_removed": sum(r["removed"] for r in rows),
    }


async def _answer_pair(
    settings: Settings, questions: int, workdir: Path, challenger: tuple[str, int]
) -> dict[str, Any]:
    """The champion's answer call against a challenger (prompt version, token cap) on the same questions, one
    service each on the same embedded server, alternating which goes first: a paired latency ratio."""
    from agent.config import AgentConfig
    from agent.llm.factory import make_chat_model
    from agent.service import AgentService
    from retrieval.search import open_retriever

    base = AgentConfig(max_iterations=settings.max_plan_iterations)
    configs = {
        "baseline": base,
        "challenger": _answer_config(base, *challenger),
    }
    model, retriever = make_chat_model(settings), open_retriever(settings)
    services = {
        name: AgentService(
            settings.model_copy(
                update={"data_dir": workdir / name, "payments_database_url": settings.payments_db_url}
            ),
            chat_model=model,
            retriever=retriever,
            config=config,
        )
        for name, config in configs.items()
    }
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in services}
    load_before = os.getloadavg()[0]
    try:
        for service in services.values():
            await service.start()
        for i, message in enumerate(_questions()[:questions]):
            order = list(services) if i % 2 == 0 else list(reversed(services))
            for name in order:
                _, turn_s, result = await _timed_turn(services[name], message)
                calls = result["llm_calls"]
                rows[name].append(
                    {
                        "turn_s": turn_s,
                        "llm_s": sum(c["latency_ms"] for c in calls) / 1000,
                        "prompt": sum(c["prompt_tokens"] for c in calls),
                        "completion": sum(c["completion_tokens"] for c in calls),
                        "fallback": int(result["answer"].startswith("(No model reply") or not calls),
                        "removed": int(result.get("unsupported_claims") or 0),
                    }
                )
    finally:
        for service in services.values():
            await service.aclose()
    sides = {name: _side(r) for name, r in rows.items()}
    base_s, chal_s = sides["baseline"], sides["challenger"]
    per_question = [
        c["llm_s"] / b["llm_s"]
        for b, c in zip(rows["baseline"], rows["challenger"], strict=True)
        if b["llm_s"]
    ]
    return {
        "questions": len(rows["baseline"]),
        "baseline_answer": f"{base.prompt_version('answer')}, max {base.answer_max_tokens} tokens",
        "challenger_answer": f"{challenger[0]}, max {challenger[1]} tokens",
        "load_average_1m": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "baseline": base_s,
        "challenger": chal_s,
        "ratio_llm_s_total": round(chal_s["llm_s_total"] / base_s["llm_s_total"], 3)
        if base_s["llm_s_total"]
        else None,
        "ratio_llm_s_per_question_p50": round(statistics.median(per_question), 3) if per_question else None,
        "ratio_turn_s_p50": round(chal_s["turn_s_p50"] / base_s["turn_s_p50"], 3)
        if base_s["turn_s_p50"]
        else None,
        "note": "ratio < 1: the challenger's answer call is faster; both sides answer the same catalogue "
        "questions on the same model server, alternating which goes first",
    }


def run_answer_pair(settings: Settings, *, questions: int, prompt: str, max_tokens: int) -> dict[str, Any]:
    """``payinvest bench answer``: a paired latency ratio of two answer-call settings on the embedded model."""
    from core.errors import PayinvestError
    from prompts import PromptNotFound, load_prompt

    try:
        load_prompt("answer", prompt)
    except PromptNotFound as exc:
        raise PayinvestError(str(exc), code="invalid_prompt") from None
    if not 16 <= max_tokens <= 4096:
        raise PayinvestError("--max-tokens must be between 16 and 4096", code="invalid_option")
    with tempfile.TemporaryDirectory(prefix="bench-answer-") as tmp:
        pair = asyncio.run(_answer_pair(settings, max(questions, 2), Path(tmp), (prompt, max_tokens)))
        return {"benchmark": "answer", **pair}
