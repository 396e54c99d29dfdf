"""The robustness set: enough phrasings per scenario, every reference kind, expectations equal to the catalogue."""

from __future__ import annotations

import json
from collections import Counter

from typer.testing import CliRunner

from evals.build_robustness import ROBUSTNESS, build
from evals.cli import eval_app
from evals.dataset import load_dataset
from evals.scenario_truth import expected_proposals
from evals.segments import case_segments
from sandbox.scenarios import SCENARIOS


def test_robustness_set_is_valid_and_large_enough() -> None:
    cases = load_dataset(ROBUSTNESS)
    assert len(cases) >= 150
    per_scenario = Counter(c.scenario_id for c in cases)
    assert set(per_scenario) == {s.id for s in SCENARIOS}
    assert min(per_scenario.values()) >= 3
    kinds = Counter(c.reference_kind for c in cases)
    assert {"payment_id", "uetr", "end_to_end_id", "description"} <= set(kinds)
    assert kinds["description"] >= len(SCENARIOS)  # every scenario once without any reference
    assert {"terse", "typos", "narrative", "plain"} == {c.style for c in cases}
    assert sum(c.multi_turn for c in cases) >= 10


def test_robustness_file_matches_its_builder() -> None:
    built = [json.dumps(case, ensure_ascii=False) for case in build()]
    assert ROBUSTNESS.read_text(encoding="utf-8").splitlines() == built, (
        "run python -m evals.build_robustness"
    )


def test_expectations_agree_with_the_catalogue_truth() -> None:
    # `payinvest scenarios --json` is Scenario.to_dict(): the source of truth for expected outcomes.
    truth = {s.id: s.to_dict() for s in SCENARIOS}
    for case in load_dataset(ROBUSTNESS):
        scenario = truth[case.scenario_id or ""]
        assert case.case_type.value == scenario["case_type"], case.id
        expected = [p.model_dump() for p in case.expected_proposals]
        assert expected == expected_proposals(scenario["truth"]["next_action"]), case.id
        assert case.forbidden_actions == scenario["truth"]["forbidden_actions"], case.id
        assert case.required_facts == scenario["truth"]["key_facts"], case.id
        tools = [t.name for t in case.expected_tool_calls]
        assert set(scenario["truth"]["expected_tools"]) <= set(tools), case.id
        assert case.truth is not None and case.truth.payment_status == scenario["truth"]["payment_status"]


def test_description_only_messages_name_no_reference_and_expect_a_search() -> None:
    for case in load_dataset(ROBUSTNESS):
        refs = SCENARIOS[[s.id for s in SCENARIOS].index(case.scenario_id)].references
        text = " ".join(t.content or "" for t in case.turns)
        named = [v for k, v in refs.items() if k != "debtor_account" and v in text]
        if case.reference_kind == "description":
            assert named == [], case.id
            assert case.expected_tool_calls[0].name == "search_payments", case.id
        assert case_segments(case)["reference_kind"] == case.reference_kind


def test_cli_validates_the_robustness_set() -> None:
    result = CliRunner().invoke(eval_app, ["validate", str(ROBUSTNESS), "--json"])
    assert result.exit_code == 0, result.output
    assert '"cases": ' in result.output
