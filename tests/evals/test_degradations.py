"""The degradation suite: each deliberately worse configuration is caught (scripted model, real AgentService)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from evals.compare import compare_outputs
from evals.config import CONFIG_DIR, load_config
from evals.environment import EvalSetupError, build_service
from evals.gate import DEFAULT_THRESHOLDS, Threshold, apply_gate, load_thresholds
from evals.metrics import aggregate
from tests.evals.scripted_agent import SPECULATE_RE, run_config

DEGRADED = sorted(p.stem for p in CONFIG_DIR.glob("degraded-*.yaml"))
# Configurations that need agent features this build may not have yet (checked below, not assumed).
NEEDS_FEATURE = {"degraded-no-verifier": "verifier"}
RUNNABLE_HERE = {
    "degraded-noplan",
    "degraded-no-retrieval",
    "degraded-speculate",
    "degraded-lexical-classifier",
}


def test_every_degraded_configuration_is_covered_here() -> None:
    assert set(DEGRADED) == RUNNABLE_HERE | set(NEEDS_FEATURE)


@pytest.mark.slow
async def test_retrieval_off_is_worse_and_fails_the_gate(settings: Settings, tmp_path: Path) -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    champion, _, _ = await run_config(settings, tmp_path, "champion")
    degraded, _, retriever = await run_config(settings, tmp_path, "degraded-no-retrieval")
    assert retriever.queries == []  # the agent's searches never reached the index
    metrics = aggregate([r.score for r in degraded.runs])
    assert metrics["context_recall"] == 0.0
    gate = apply_gate(metrics, thresholds)
    assert not gate.passed and "context_recall" in [r.metric for r in gate.rows if r.status == "fail"]
    document = compare_outputs(champion, degraded, thresholds)
    assert document["verdict"] == "worse"
    assert "context_recall" in document["gated_regressions"]


@pytest.mark.slow
async def test_speculation_is_removed_by_the_verifier_and_counted(settings: Settings, tmp_path: Path) -> None:
    champion, _, _ = await run_config(settings, tmp_path, "champion")
    degraded, model, _ = await run_config(settings, tmp_path, "degraded-speculate")
    assert SPECULATE_RE.search(model.prompts_text()), "answer@v0-speculate no longer invites speculation"
    # The verifier removed the speculation, so nothing unsupported reached the analyst (the claim check agrees) ...
    assert [r.score.values["unsupported_claims"] for r in (*champion.runs, *degraded.runs)] == [0.0] * 4
    kept = [r.score.values["verifier_removed_claims"] or 0.0 for r in champion.runs]
    removed = [r.score.values["verifier_removed_claims"] for r in degraded.runs]
    assert all(v is not None and v >= 1 for v in removed)
    assert sum(v or 0.0 for v in removed) > sum(kept)
    # ... and the count shows the degradation: gated at its standard, it is a regression above the floor.
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    thresholds.metrics["verifier_removed_claims"] = Threshold(standard=0, max=5, gated=True)
    document = compare_outputs(champion, degraded, thresholds)
    test = next(t for t in document["tests"] if t["metric"] == "verifier_removed_claims")
    assert (
        test["difference"] > 0 and test["verdict"] != "better"
    )  # two scripted cases: not always significant
    gate = apply_gate(aggregate([r.score for r in degraded.runs]), thresholds)
    assert (
        next(r for r in gate.rows if r.metric == "verifier_removed_claims").status == "pass"
    )  # above the floor


@pytest.mark.parametrize("name", sorted(NEEDS_FEATURE))
def test_configurations_needing_a_missing_agent_feature_are_refused(settings: Settings, name: str) -> None:
    from agent.config import AgentConfig

    feature = NEEDS_FEATURE[name]
    config = load_config(CONFIG_DIR / f"{name}.yaml")
    if feature in AgentConfig.model_fields:
        pytest.skip(f"the agent has {feature!r}: this configuration now runs (see docs/evals.md)")
    with pytest.raises(EvalSetupError, match=f"needs agent feature\\(s\\) {feature}"):
        build_service(settings, config)


@pytest.mark.slow
def test_the_lexical_configuration_gives_the_agent_the_lexical_classifier(settings: Settings) -> None:
    from evals.environment import text_classifier

    config = load_config(CONFIG_DIR / "degraded-lexical-classifier.yaml")
    classifier = text_classifier(settings, config)
    assert classifier.variant == "lexical"
    service = build_service(settings, config)
    assert service.text_classifier().variant == "lexical"
    assert text_classifier(settings, load_config(CONFIG_DIR / "champion.yaml")) is None  # the agent's default
