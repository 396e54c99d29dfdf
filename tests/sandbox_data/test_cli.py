"""``payinvest seed`` and ``payinvest scenarios``: contracts, idempotence and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app
from sandbox.scenarios import SCENARIOS

runner = CliRunner()


def test_scenarios_json_matches_the_contract() -> None:
    result = runner.invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [i["id"] for i in items] == [s.id for s in SCENARIOS]
    for item in items:
        assert set(item) == {"id", "case_type", "title", "analyst_message", "references", "truth"}
        assert {"payment_id", "uetr", "end_to_end_id"} <= set(item["references"])
        action = item["truth"]["next_action"]
        assert action is None or set(action) == {
            "kind",
            "message_type",
            "status",
            "reason_code",
            "investigation_type",
        }


def test_scenarios_filter_and_bad_case_type() -> None:
    result = runner.invoke(app, ["scenarios", "--json", "--case-type", "duplicate"])
    assert {i["case_type"] for i in json.loads(result.stdout)} == {"duplicate"}
    bad = runner.invoke(app, ["scenarios", "--case-type", "lost"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown case type 'lost'")


def test_seed_report_idempotence_and_force(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    first = runner.invoke(app, ["seed", "--payments", "40", "--seed", "3", "--db", url, "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["skipped"] is False and report["payments"] == 40 and report["scenarios"] == len(SCENARIOS)
    assert report["counts"]["payments"] == 40 + report["counts"]["scenarios"] + 3  # three scenario twins
    again = json.loads(
        runner.invoke(app, ["seed", "--payments", "40", "--seed", "3", "--db", url, "--json"]).stdout
    )
    assert again["skipped"] is True and again["counts"] == report["counts"]
    other = runner.invoke(app, ["seed", "--payments", "41", "--seed", "3", "--db", url])
    assert other.exit_code == 2 and "use --force" in other.stderr and len(other.stderr.splitlines()) == 1
    forced = runner.invoke(app, ["seed", "--payments", "41", "--seed", "3", "--db", url, "--json", "--force"])
    assert forced.exit_code == 0 and json.loads(forced.stdout)["payments"] == 41


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--payments", "-1"], "error: --payments must be >= 0"),
        (["--db", "not-a-url"], "error: cannot open database 'not-a-url'"),
        (["--db", "sqlite:////no/such/dir/p.db"], "error: cannot open database"),
    ],
)
def test_seed_bad_input_is_a_one_line_error(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["seed", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["seed"], ["scenarios"], ["sandbox", "serve"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout
