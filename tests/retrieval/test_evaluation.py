"""Query-set metrics, the query-set file itself, and weight tuning on a fixture query set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.evaluation import DEFAULT_DATASET, is_relevant, load_queries, score_ranking
from retrieval.fusion import FusionWeights
from retrieval.tuning import GRID, tune_weights


def test_subsection_counts_for_a_section_label() -> None:
    assert is_relevant("SOP-002 §4.2", ("SOP-002 §4",))
    assert not is_relevant("SOP-002 §42", ("SOP-002 §4",))
    assert not is_relevant("SOP-002 §4", ("SOP-002 §4.2",))


@pytest.mark.parametrize(
    ("ranking", "expected", "scores"),
    [
        (["A §1", "B §1"], ("A §1",), {"hit@1": 1.0, "hit@5": 1.0, "mrr": 1.0}),
        (["B §1", "C §1", "A §1"], ("A §1",), {"hit@1": 0.0, "hit@5": 1.0, "mrr": 1 / 3}),
        (["B §1"] * 5 + ["A §1"], ("A §1",), {"hit@1": 0.0, "hit@5": 0.0, "mrr": 1 / 6}),
        ([], ("A §1",), {"hit@1": 0.0, "hit@5": 0.0, "mrr": 0.0, "ndcg@5": 0.0}),
    ],
)
def test_score_ranking(ranking, expected, scores) -> None:
    result = score_ranking(ranking, expected)
    for key, value in scores.items():
        assert result[key] == pytest.approx(value)


def test_ndcg_is_one_for_a_perfect_ranking() -> None:
    assert score_ranking(["A §1", "A §2"], ("A §1", "A §2"))["ndcg@5"] == pytest.approx(1.0)
    assert score_ranking(["A §2", "X §1", "A §1"], ("A §1", "A §2"))["ndcg@5"] < 1.0


def test_project_query_set_is_well_formed() -> None:
    from retrieval.chunking import chunk_corpus
    from retrieval.corpus import load_corpus

    queries = load_queries()
    assert len(queries) >= 80
    assert len({q.id for q in queries}) == len(queries)
    sections = {c.citation for c in chunk_corpus(load_corpus()) if c.status == "effective"}
    for q in queries:
        assert q.expected, q.id
        for label in q.expected:
            assert any(s == label or s.startswith(f"{label}.") for s in sections), (q.id, label)


def test_malformed_query_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1", "query": "x", "expected": []}\n{"id": "q2"}\n')
    with pytest.raises(RetrievalError, match=r"q\.jsonl line 2"):
        load_queries(path)


def test_tuning_writes_weights_with_provenance(built, tmp_path: Path) -> None:
    settings, _, embedder = built
    dataset = tmp_path / "queries.jsonl"
    rows = [
        {"id": "a", "query": "what does G004 mean", "expected": ["SOP-101 §2.1"], "case_type": None},
        {"id": "b", "query": "recall reason for a duplicate", "expected": ["SOP-102 §2"], "case_type": None},
        {"id": "c", "query": "who approves above the limit", "expected": ["SOP-103 §2"], "case_type": None},
    ]
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    weights_path = tmp_path / "weights.json"
    result = tune_weights(settings, dataset=dataset, embedder=embedder, weights_path=weights_path)
    assert len(result["grid"]) == len(GRID)
    stored = json.loads(weights_path.read_text())
    assert stored["dense"] + stored["bm25"] == pytest.approx(1.0)
    assert stored["found_by"]["queries"] == 3
    assert stored["found_by"]["scores"]["hit@5"] == result["best"]["hit@5"] == 1.0
    loaded = FusionWeights.load(weights_path)
    assert (loaded.dense, loaded.bm25) == (stored["dense"], stored["bm25"])


def test_shipped_weights_load() -> None:
    weights = FusionWeights.load()
    assert 0.0 <= weights.dense <= 1.0 and weights.bm25 == pytest.approx(1 - weights.dense)
    assert DEFAULT_DATASET.name == "retrieval.jsonl"
