"""`payinvest eval --lanes`: cases spread over agent services running at the same time, scored as one run."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from evals.config import CONFIG_DIR, load_config
from evals.environment import build_service
from evals.runner import Lane, run_dataset
from tests.agent.fakes import FakeClassifier, ScriptedChatModel
from tests.evals.scripted_agent import cases, fake_port, fake_retriever, run_config, script


async def test_two_lanes_run_each_case_once_in_order_with_the_single_lane_scores(
    settings: Settings, tmp_path: Path
) -> None:
    config = load_config(CONFIG_DIR / "champion.yaml")
    single, _, _ = await run_config(settings, tmp_path, "champion")

    ports, restores, lanes = [], [], []
    for lane in range(2):
        lane_settings = settings.model_copy(
            update={"data_dir": tmp_path / f"lane-{lane}", "llm_slot_group": lane, "llm_slot_groups": 2}
        )
        port = fake_port(tmp_path / f"lane-{lane}-actions.db")
        service = build_service(
            lane_settings,
            config,
            chat_model=ScriptedChatModel(script=script),
            retriever=fake_retriever(),
            systems=port,
            classifier=FakeClassifier(),
        )
        ports.append(port)
        lanes.append(Lane(service, lambda lane=lane: restores.append(lane)))
    try:
        output = await run_dataset(lanes[0].service, cases(), config, lanes=lanes)
    finally:
        for lane_ in lanes:
            await lane_.service.aclose()

    assert [r.case.id for r in output.runs] == ["cnr", "dup"]
    assert sorted(restores) == [0, 1]  # each lane restored its sandbox before the one case it ran
    assert [r.score.values for r in output.runs] == [r.score.values for r in single.runs]
    # the claim's approved camt.110 was executed once, on the lane that ran it
    assert sorted(len(p.action_rows()) for p in ports) == [0, 1]


def test_the_answer_timeout_scales_with_the_lanes() -> None:
    from evals.agent_adapter import agent_config
    from evals.suite import lane_timeouts

    config = load_config(CONFIG_DIR / "champion.yaml")
    base = agent_config(config).answer_timeout_s
    assert lane_timeouts(config, 1) is config
    three = lane_timeouts(config, 3)
    assert agent_config(three).answer_timeout_s == 3 * base and three.digest() != config.digest()


def test_the_v3_spread_challenger_switches_on_both_changes_and_keeps_the_champions_other_prompts() -> None:
    from agent.config import AgentConfig
    from evals.agent_adapter import agent_config

    champion = agent_config(load_config(CONFIG_DIR / "champion.yaml"))
    challenger = agent_config(load_config(CONFIG_DIR / "challenger-v3-spread.yaml"))
    assert (champion.prompt_version("answer"), champion.spread_procedures) == ("v3", False)
    assert (challenger.prompt_version("answer"), challenger.spread_procedures) == ("v3", True)
    others = {k: v for k, v in AgentConfig().prompt_versions.items() if k != "answer"}
    assert {k: challenger.prompt_version(k) for k in others} == others
