"""The dataset format: valid files load, malformed ones give one clear line naming the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import eval_app
from evals.dataset import DEFAULT_DATASET, DatasetError, load_dataset

GOOD = {
    "id": "cnr-1",
    "case_type": "claim_non_receipt",
    "turns": [
        {"role": "analyst", "content": "Where is PAY-00000001?"},
        {
            "role": "approval",
            "decision": {"action": "approve", "proposal_kind": "investigation", "as_user": "supervisor1"},
        },
        {"role": "analyst", "content": "What happens next?"},
    ],
    "expected_tool_calls": [{"name": "get_payment", "args": {"reference": "PAY-00000001"}}],
    "expected_sop_sections": ["SOP-001 §4.2"],
    "required_facts": ["G002"],
    "expected_proposals": [{"kind": "investigation", "reason_code": "CCNR"}],
    "forbidden_actions": ["recall"],
    "tags": ["multi-turn"],
}


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "scenarios.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def _with(**changes: object) -> dict:
    return {**GOOD, "id": "x-2", **changes}


def test_valid_file_loads(tmp_path: Path) -> None:
    cases = load_dataset(_write(tmp_path, GOOD))
    assert [c.id for c in cases] == ["cnr-1"]
    assert cases[0].multi_turn
    assert cases[0].turns[1].decision.as_user == "supervisor1"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            _with(expected_proposals=[{"kind": "recal"}]),
            "scenarios.jsonl:2: field 'expected_proposals.0.kind': 'recal' is not a valid action kind",
        ),
        (_with(case_type="lost"), "scenarios.jsonl:2: field 'case_type': 'lost' is not allowed"),
        (
            _with(
                turns=[
                    {
                        "role": "approval",
                        "decision": {"action": "approve", "proposal_kind": "recall", "as_user": "s"},
                    }
                ]
            ),
            "scenarios.jsonl:2: field 'turns': the first turn must be an analyst message",
        ),
        (
            _with(turns=[{"role": "analyst", "content": ""}]),
            "scenarios.jsonl:2: field 'turns.0': an analyst turn needs",
        ),
        (
            _with(expected_sop_sections=["SOP-1 §2"]),
            "scenarios.jsonl:2: field 'expected_sop_sections': 'SOP-1 §2' is not",
        ),
        (
            _with(forbidden_actions=["wire"]),
            "scenarios.jsonl:2: field 'forbidden_actions': 'wire' is not a valid",
        ),
        (_with(surprise=1), "scenarios.jsonl:2: field 'surprise': Extra inputs are not permitted"),
        (_with(reference_kind="iban"), "scenarios.jsonl:2: field 'reference_kind': 'iban' is not allowed"),
        (_with(style="shouty"), "scenarios.jsonl:2: field 'style': 'shouty' is not allowed"),
        (
            _with(truth={"payment_status": "credited"}),
            "scenarios.jsonl:2: field 'truth.payment_status': String should match pattern",
        ),
        (_with(id="cnr-1"), "scenarios.jsonl:2: field 'id': 'cnr-1' already used on line 1"),
        ("{not json", "scenarios.jsonl:2: invalid JSON"),
        ("[1, 2]", "scenarios.jsonl:2: each line must be a JSON object"),
    ],
)
def test_malformed_line_names_line_and_field(tmp_path: Path, row: object, message: str) -> None:
    with pytest.raises(DatasetError) as caught:
        load_dataset(_write(tmp_path, GOOD, row))
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.line == 2


def test_cli_reports_malformed_dataset_with_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, _with(expected_proposals=[{"kind": "recal"}]))
    for args in (["--dataset", str(path), "--no-judge"], ["validate", str(path)]):
        result = CliRunner().invoke(eval_app, args)
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("error: scenarios.jsonl:2: field 'expected_proposals.0.kind': 'recal'")


def test_cli_missing_dataset_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["validate", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert result.output.strip() == "error: nope.jsonl: file not found"


@pytest.mark.skipif(not DEFAULT_DATASET.is_file(), reason="the shipped dataset is written later")
def test_shipped_dataset_is_valid_and_covers_every_case_type() -> None:
    from core.domain import CaseType

    cases = load_dataset(DEFAULT_DATASET)
    assert len(cases) >= 40
    assert {c.case_type for c in cases} == set(CaseType)
    assert any(c.multi_turn for c in cases)
    decisions = [t.decision.action for c in cases for t in c.turns if t.decision]
    assert {"approve", "reject"} <= set(decisions)


@pytest.mark.skipif(not DEFAULT_DATASET.is_file(), reason="the shipped dataset is written later")
def test_shipped_expected_sections_exist_in_the_corpus() -> None:
    import re

    corpus = Path(__file__).resolve().parents[2] / "retrieval" / "corpus"
    sections = set()
    for path in corpus.glob("SOP-*.md"):
        sop_id = re.search(r"^id: (SOP-\d{3})", path.read_text(encoding="utf-8"), re.MULTILINE).group(1)
        for number in re.findall(
            r"^#{2,3} (\d+(?:\.\d+)*)\.? ", path.read_text(encoding="utf-8"), re.MULTILINE
        ):
            sections.add(f"{sop_id} §{number}")
    wanted = {s for case in load_dataset(DEFAULT_DATASET) for s in case.expected_sop_sections}
    assert wanted - sections == set()


@pytest.mark.skipif(not DEFAULT_DATASET.is_file(), reason="the shipped dataset is written later")
def test_shipped_dataset_matches_its_builder() -> None:
    from evals.build_dataset import build

    built = [json.dumps(case, ensure_ascii=False) for case in build()]
    assert DEFAULT_DATASET.read_text(encoding="utf-8").splitlines() == built


def test_cli_unknown_only_selection_is_a_clean_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = CliRunner().invoke(eval_app, ["--dataset", str(path), "--only", "cnr-1,nope", "--no-judge"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: --only: no scenario id or tag nope"
