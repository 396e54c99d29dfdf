"""``bench.retrieval.run``: builds a missing index and reports all three modes, latency and throughput."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.retrieval.conftest import FakeEmbedder


def test_bench_reports_every_mode(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.retrieval import run

    monkeypatch.setattr("retrieval.index.MiniLMEmbedder", lambda threads=1: FakeEmbedder())
    monkeypatch.setattr("retrieval.search.MiniLMEmbedder", lambda threads=1: FakeEmbedder())
    dataset = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "query": "what does G004 mean", "expected": ["SOP-019 §4.2", "SOP-002 §3.1"]},
        {"id": "b", "query": "recall reason for a duplicate", "expected": ["SOP-008 §5.2", "SOP-003 §3.1"]},
    ]
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run(settings, repeats=1, dataset=dataset)
    assert result["queries"] == 2
    for mode in ("hybrid", "bm25", "dense"):
        metrics = result[mode]
        assert 0.0 <= metrics["hit@1"] <= metrics["hit@5"] <= 1.0
        assert metrics["latency"]["p50_ms"] <= metrics["latency"]["p95_ms"]
    assert result["build"]["chunks"] > 100 and result["build"]["ratio"] > 0
    assert set(result["budget"]) == {"hit@5>=0.9", "hybrid>=baselines", "p50<=20ms"}
