"""``payinvest index build`` / ``payinvest search``: the --json contracts and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli import app
from core.settings import get_settings
from tests.retrieval.conftest import FakeEmbedder

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at a temporary data dir and swap MiniLM for the fake embedder."""
    monkeypatch.setenv("PAYINVEST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("retrieval.index.MiniLMEmbedder", lambda threads=1: FakeEmbedder())
    monkeypatch.setattr("retrieval.search.MiniLMEmbedder", lambda threads=1: FakeEmbedder())
    get_settings.cache_clear()
    yield corpus_dir
    get_settings.cache_clear()


def _build(corpus_dir: Path) -> dict:
    result = runner.invoke(app, ["index", "build", "--corpus", str(corpus_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_index_build_json_contract(cli_env: Path) -> None:
    report = _build(cli_env)
    assert set(report) == {
        "documents", "chunks", "added", "updated", "removed", "unchanged", "embedded",
        "seconds", "embedded_per_second", "embedder", "collection", "corpus_hash",
    }  # fmt: skip
    assert report["documents"] == 4 and report["added"] == report["chunks"]
    assert _build(cli_env)["embedded"] == 0


def test_search_json_contract(cli_env: Path) -> None:
    _build(cli_env)
    result = runner.invoke(app, ["search", "what does G004 mean", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "k", "case_type", "include_superseded", "hits", "timing"}
    assert set(payload["timing"]) == {"open_ms", "search_ms"}
    assert len(payload["hits"]) == 2
    hit = payload["hits"][0]
    assert set(hit) == {
        "chunk_id", "citation", "sop_id", "section", "section_title", "title", "breadcrumb", "anchor",
        "version", "status", "effective_date", "case_types", "score", "text", "note",
    }  # fmt: skip
    assert hit["citation"] == "SOP-101 §2.1"


def test_search_plain_output_shows_citation_and_breadcrumb(cli_env: Path) -> None:
    _build(cli_env)
    result = runner.invoke(app, ["search", "recall five business days", "--include-superseded"])
    assert result.exit_code == 0, result.output
    assert "SOP-102 §3" in result.stdout
    assert "cite with care" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "   "], "query is empty"),
        (["search", "x" * 2001], "too long"),
        (["search", "bad\x07bell"], "control characters"),
        (["search", "recall", "--k", "0"], "k must be"),
        (["search", "recall", "--case-type", "nope"], "unknown case type"),
    ],
)
def test_bad_search_input_is_one_line_exit_2(cli_env: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_search_before_build_explains_what_to_run(cli_env: Path) -> None:
    result = runner.invoke(app, ["search", "recall", "--json"])
    assert result.exit_code == 2
    assert "payinvest index build" in result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "index_not_built"


def test_malformed_sop_is_one_line_exit_2(cli_env: Path) -> None:
    (cli_env / "SOP-106.md").write_text("---\nid: SOP-106\ntitle: x\n---\n## 1. A\nb\n")
    result = runner.invoke(app, ["index", "build", "--corpus", str(cli_env)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: SOP-106.md: field 'title'")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["index", "build"], ["index", "tune"], ["search"]])
def test_every_command_has_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout
