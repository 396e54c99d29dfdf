"""One evaluation of one configuration over one dataset: setup, run, judge, aggregate, gate, report."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals.config import EvalConfig
from evals.dataset import EvalCase, file_sha256, load_dataset
from evals.gate import GateResult, Thresholds, apply_gate
from evals.metrics import DETERMINISTIC_METRICS, JUDGE_METRICS, aggregate
from evals.runner import CaseRun, Lane, RunOutput, eval_settings, run_dataset
from evals.segments import segment_table, worst_segment
from evals.stats import bootstrap_ci


def lane_timeouts(config: EvalConfig, lanes: int) -> EvalConfig:
    """With N lanes the model serves N calls at once, so each call's wall time grows about N-fold: the answer
    timeout (an analyst's wait, not a quality bound) scales with the lanes, or the gate would score the
    findings fallback instead of the model. The report's configuration records the value used."""
    if lanes <= 1:
        return config
    from evals.agent_adapter import agent_config

    timeout = min(600.0, agent_config(config).answer_timeout_s * lanes)
    return config.model_copy(update={"agent": {**config.agent, "answer_timeout_s": timeout}})


async def evaluate(
    settings: Settings,
    cases: list[EvalCase],
    config: EvalConfig,
    *,
    chat_model: Any = None,
    judge: bool = True,
    on_case: Callable[[CaseRun], None] | None = None,
    seed: bool = True,
    lanes: int = 1,
) -> tuple[RunOutput, Settings]:
    """Prepare the eval database and index, run every case through the real AgentService, then the judge.

    ``lanes`` > 1 runs that many agent services at the same time, each on its own copy of the seeded sandbox
    and its own app database, sharing the index and the model server (one slot group each)."""
    from evals import environment

    environment.check_agent_features(config)  # before anything heavy
    config = lane_timeouts(config, lanes)
    run_settings = eval_settings(settings, config).model_copy(update={"llm_slot_groups": lanes})
    if seed:
        environment.ensure_seeded(run_settings, config.eval_payments)
    directory = run_settings.resolved_data_dir / "eval"
    snapshot = environment.SandboxSnapshot(run_settings.payments_db_url, directory)
    if lanes > 1 and not snapshot.enabled:
        raise environment.EvalSetupError(
            "--lanes needs the SQLite eval sandbox (each lane restores its copy)"
        )
    snapshot.take()
    retriever = environment.open_or_build_retriever(run_settings, config)
    workers: list[Lane] = []
    try:
        for lane in range(lanes):
            lane_settings = run_settings if lane == 0 else environment.lane_settings(run_settings, lane)
            lane_snapshot = environment.SandboxSnapshot(lane_settings.payments_db_url, directory)
            lane_snapshot.restore()  # the lane's sandbox exists before its service opens it
            service = environment.build_service(
                lane_settings, config, chat_model=chat_model, retriever=retriever
            )
            workers.append(Lane(service, lane_snapshot.restore))
            warm = getattr(service, "text_classifier", None)
            if warm is not None:  # load (or train) the classifier before the first turn, outside its budget
                await asyncio.to_thread(warm)
        output = await run_dataset(
            workers[0].service,
            cases,
            config,
            section_exists=environment.section_checker(retriever),
            on_case=on_case,
            lanes=workers,
        )
    finally:
        for worker in workers:
            close = getattr(worker.service, "aclose", None)
            if close is not None:
                await close()
    output.lanes = lanes
    if judge:
        from evals.judge import run_judge

        output.judge = await run_judge(output, run_settings, config.judge)
    else:
        output.judge = {"enabled": False, "note": "skipped with --no-judge"}
    return output, run_settings


def dataset_entries(paths: list[Path], cases: list[EvalCase]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report's ``dataset`` (the whole selection) and ``datasets`` (one entry per file) records."""
    files = [{"path": str(p), "sha256": file_sha256(p)} for p in paths]
    combined = {
        "path": ",".join(str(p) for p in paths),
        "sha256": files[0]["sha256"]
        if len(files) == 1
        else hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest(),
        "cases": len(cases),
        "case_ids_sha256": hashlib.sha256("\n".join(c.id for c in cases).encode()).hexdigest(),
    }
    return combined, files


def intervals(output: RunOutput, names: tuple[str, ...]) -> dict[str, tuple[float, float] | None]:
    """Bootstrap 95% interval of every aggregate metric over the scenarios."""
    return {
        name: bootstrap_ci([v for r in output.runs if (v := r.score.values.get(name)) is not None])
        for name in names
    }


def summarise(
    output: RunOutput,
    run_settings: Settings,
    thresholds: Thresholds,
    dataset_paths: Path | list[Path],
    cases: list[EvalCase],
    thresholds_path: Path | None = None,
) -> tuple[dict[str, float | None], GateResult, dict[str, Any]]:
    """Aggregate metrics with intervals, apply the gate, segment, and gather the manifest and report context."""
    from evals import environment
    from evals.manifest import build_manifest, classifier_info
    from evals.report import observed_prompt_versions

    paths = dataset_paths if isinstance(dataset_paths, list) else [dataset_paths]
    names = DETERMINISTIC_METRICS + JUDGE_METRICS
    metrics = aggregate([r.score for r in output.runs], names)
    cis = intervals(output, names)
    gate = apply_gate(metrics, thresholds, cis)
    from agent.llm.factory import model_identity

    provider, model = model_identity(run_settings)
    dataset, files = dataset_entries(paths, cases)
    by_path: dict[str, int] = {}
    for path in paths:
        by_path[str(path)] = sum(1 for _ in load_dataset(path))
    for entry in files:
        entry["cases"] = by_path[entry["path"]]
    table = segment_table([(r.case, r.score) for r in output.runs], names)
    classifier = classifier_info(run_settings)
    corpus = environment.corpus_hash()
    index_hash = environment.index_corpus_hash(run_settings)
    commit = environment.git_commit()
    versions = {**output.config.prompt_versions, **observed_prompt_versions(output)}
    context = {
        "provider": provider,
        "model": model,
        "corpus_hash": corpus,
        "index_corpus_hash": index_hash,
        "dataset": dataset,
        "datasets": files,
        "git_commit": commit,
        "metrics_ci": {k: None if v is None else list(v) for k, v in cis.items()},
        "segments": table,
        "worst_segment": worst_segment(table, thresholds),
        "classifier": classifier,
        "manifest": build_manifest(
            run_settings,
            provider=provider,
            model=model,
            prompt_versions=versions,
            config_digest=output.config.digest(),
            corpus_hash=corpus,
            index_corpus_hash=index_hash,
            thresholds_path=thresholds_path,
            thresholds_version=thresholds.version,
            datasets=files,
            git_commit=commit,
            classifier_version=classifier.get("version"),
        ),
    }
    return metrics, gate, context


def run_sync(coro: Any) -> Any:
    """Run a coroutine from the synchronous CLI."""
    return asyncio.run(coro)
