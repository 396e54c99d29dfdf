"""``payinvest bench api`` end to end on a tiny database: real uvicorn servers, the documented JSON keys."""

from __future__ import annotations

import pytest

from bench.api import run
from core.settings import Settings


@pytest.mark.slow
def test_bench_api_contract(settings: Settings) -> None:
    result = run(settings, payments=50, requests=40)
    assert result["benchmark"] == "api" and result["payments"] == 50
    for side in ("sandbox", "bare"):
        stats = result[side]
        assert stats["errors"] == 0
        assert 0 < stats["p50_ms"] <= stats["p99_ms"]
        assert stats["throughput_rps"] > 0
    assert result["throughput_ratio_vs_bare"] > 0
    assert set(result["budget"]) == {"p99_ms", "throughput_ratio"}
    assert isinstance(result["within_budget"], bool)
    again = run(settings, payments=50, requests=10)
    assert again["seeding"]["seeded_now"] is False  # the database is reused


def test_a_benchmark_without_a_seeded_sandbox_is_a_one_line_error(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from core.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["bench", "agent", "--turns", "5"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "payinvest seed" in result.output and "Traceback" not in result.output
