"""One evaluation of one configuration over one dataset: setup, run, judge, aggregate, gate, report."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals.config import EvalConfig
from evals.dataset import EvalCase, file_sha256
from evals.gate import GateResult, Thresholds, apply_gate
from evals.metrics import DETERMINISTIC_METRICS, JUDGE_METRICS, aggregate
from evals.runner import CaseRun, RunOutput, eval_settings, run_dataset


async def evaluate(
    settings: Settings,
    cases: list[EvalCase],
    config: EvalConfig,
    *,
    chat_model: Any = None,
    judge: bool = True,
    on_case: Callable[[CaseRun], None] | None = None,
    seed: bool = True,
) -> tuple[RunOutput, Settings]:
    """Prepare the eval database and index, run every case through the real AgentService, then the judge."""
    from evals import environment

    run_settings = eval_settings(settings, config)
    if seed:
        environment.ensure_seeded(run_settings, config.eval_payments)
    retriever = environment.open_or_build_retriever(run_settings, config)
    service = environment.build_service(run_settings, config, chat_model=chat_model, retriever=retriever)
    try:
        output = await run_dataset(
            service, cases, config, section_exists=environment.section_checker(retriever), on_case=on_case
        )
    finally:
        close = getattr(service, "aclose", None)
        if close is not None:
            await close()
    if judge:
        from evals.judge import run_judge

        output.judge = await run_judge(output, run_settings, config.judge)
    else:
        output.judge = {"enabled": False, "note": "skipped with --no-judge"}
    return output, run_settings


def summarise(
    output: RunOutput,
    run_settings: Settings,
    thresholds: Thresholds,
    dataset_path: Path,
    cases: list[EvalCase],
) -> tuple[dict[str, float | None], GateResult, dict[str, Any]]:
    """Aggregate metrics, apply the gate and gather the report context (hashes, model, commit)."""
    from evals import environment

    metrics = aggregate([r.score for r in output.runs], DETERMINISTIC_METRICS + JUDGE_METRICS)
    gate = apply_gate(metrics, thresholds)
    from agent.llm.factory import model_identity

    provider, model = model_identity(run_settings)
    context = {
        "provider": provider,
        "model": model,
        "corpus_hash": environment.corpus_hash(),
        "index_corpus_hash": environment.index_corpus_hash(run_settings),
        "dataset": {
            "path": str(dataset_path),
            "sha256": file_sha256(dataset_path),
            "cases": len(cases),
            "case_ids_sha256": hashlib.sha256("\n".join(c.id for c in cases).encode()).hexdigest(),
        },
        "git_commit": environment.git_commit(),
    }
    return metrics, gate, context


def run_sync(coro: Any) -> Any:
    """Run a coroutine from the synchronous CLI."""
    return asyncio.run(coro)
