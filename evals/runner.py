"""Runs dataset scenarios through the agent and scores them (the engine behind ``payinvest eval``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.settings import Settings
from evals.config import EvalConfig
from evals.dataset import EvalCase
from evals.metrics import CaseScore, score_case
from evals.trajectory import Trajectory

ANALYST = "analyst1"


@dataclass
class CaseRun:
    """One scenario's trajectory and scores."""

    case: EvalCase
    trajectory: Trajectory
    score: CaseScore


@dataclass
class RunOutput:
    """Everything one configuration produced over a dataset."""

    config: EvalConfig
    runs: list[CaseRun] = field(default_factory=list)
    seconds: float = 0.0
    judge: dict[str, Any] = field(default_factory=dict)
    lanes: int = 1  # agent services that ran the cases at the same time


async def run_case(service: Any, case: EvalCase, config: EvalConfig, run_id: str) -> Trajectory:
    """Play every turn of one scenario against the agent service."""
    from evals import agent_adapter

    thread_id = f"eval-{run_id}-{case.id}"
    trajectory = Trajectory(case_id=case.id, thread_id=thread_id)
    started = time.perf_counter()
    asker = case.turns[0].as_user or ANALYST
    for turn in case.turns:
        if turn.role == "analyst":
            record = await agent_adapter.ask(
                service,
                turn.content or "",
                thread_id=thread_id,
                user=asker,
                timeout_s=config.turn_timeout_s,
            )
        else:
            assert turn.decision is not None  # guaranteed by the dataset model
            record = await agent_adapter.decide(
                service,
                turn.decision,
                thread_id=thread_id,
                proposals=trajectory.proposals(),
                requester=asker,
                timeout_s=config.turn_timeout_s,
            )
        trajectory.turns.append(record)
        if record.error and record.role == "analyst":
            trajectory.error = record.error
            break
    trajectory.final_proposals = agent_adapter.current_proposals(service, thread_id) or []
    trajectory.duration_s = round(time.perf_counter() - started, 3)
    return trajectory


@dataclass
class Lane:
    """One agent service with its own sandbox: lanes run cases at the same time (``payinvest eval --lanes``)."""

    service: Any
    before_case: Callable[[], None] | None = None  # restores this lane's seeded sandbox


async def run_dataset(
    service: Any,
    cases: list[EvalCase],
    config: EvalConfig,
    *,
    section_exists: Callable[[str], bool] | None = None,
    on_case: Callable[[CaseRun], None] | None = None,
    before_case: Callable[[], None] | None = None,
    lanes: list[Lane] | None = None,
) -> RunOutput:
    """Run and score every case; the runs come back in the order of ``cases``.

    ``before_case`` runs before each case: the suite restores the seeded sandbox there (cases are independent).
    With ``lanes``, each lane takes the next case from one queue, on its own service and sandbox; the embedded
    model batches the lanes' generations (docs/evals.md "Lanes"). Without, one lane: ``service``.
    """
    run_id = uuid.uuid4().hex[:8]
    output = RunOutput(config=config)
    started = time.perf_counter()
    workers = lanes or [Lane(service, before_case)]
    runs: list[CaseRun | None] = [None] * len(cases)
    pending = iter(range(len(cases)))

    async def work(lane: Lane) -> None:
        for index in pending:  # one shared iterator: each case runs once, on whichever lane is free
            case = cases[index]
            if lane.before_case is not None:
                lane.before_case()
            trajectory = await run_case(lane.service, case, config, run_id)
            score = await score_case(trajectory, case, section_exists)
            if config.agent.get("verifier") is False:
                # Nothing to count when the verifier does not run: a zero would read as "the model needed it less"
                score.values["verifier_removed_claims"] = None
            runs[index] = run = CaseRun(case=case, trajectory=trajectory, score=score)
            if on_case is not None:
                on_case(run)

    await asyncio.gather(*(work(lane) for lane in workers))
    output.runs = [run for run in runs if run is not None]
    output.seconds = round(time.perf_counter() - started, 2)
    return output


def eval_settings(settings: Settings, config: EvalConfig) -> Settings:
    """Settings for an eval run: its own payments and app databases under data/eval, the model as configured."""
    directory = settings.resolved_data_dir / "eval"
    directory.mkdir(parents=True, exist_ok=True)
    update: dict[str, Any] = {
        "payments_database_url": f"sqlite:///{directory / 'payments.db'}",
        "database_url": f"sqlite:///{directory / 'payinvest.db'}",
        "payments_api_url": None,
    }
    if config.llm.provider != "settings":
        update["llm_provider"] = config.llm.provider
    if config.llm.provider == "openai":
        update["openai_base_url"] = config.llm.base_url or settings.openai_base_url
        update["openai_model"] = config.llm.model or settings.openai_model
    return settings.model_copy(update=update)
