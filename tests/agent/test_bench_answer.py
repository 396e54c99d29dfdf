"""``payinvest bench answer``: bad options are one clear line and exit 2, before any model is loaded."""

from __future__ import annotations

from typer.testing import CliRunner

from bench.cli import bench_app


def test_an_unknown_prompt_version_is_a_clear_error() -> None:
    result = CliRunner().invoke(bench_app, ["answer", "--prompt", "v99"])
    assert result.exit_code == 2
    assert "no prompt answer@v99" in result.output
    assert "Traceback" not in result.output


def test_a_token_cap_out_of_range_is_a_clear_error() -> None:
    result = CliRunner().invoke(bench_app, ["answer", "--prompt", "v3", "--max-tokens", "4"])
    assert result.exit_code == 2
    assert "--max-tokens must be between 16 and 4096" in result.output
