"""Incremental builds: unchanged chunks are not re-embedded, edits re-embed only the edited section."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.errors import CorpusError, IndexNotBuilt
from retrieval.index import build_index
from retrieval.search import open_retriever


def test_first_build_embeds_everything_second_build_nothing(settings, corpus_dir, fake_embedder) -> None:
    first = build_index(settings, embedder=fake_embedder, corpus_dir=corpus_dir)
    assert first.documents == 4
    assert first.added == first.chunks == first.embedded == fake_embedder.documents_embedded
    second = build_index(settings, embedder=fake_embedder, corpus_dir=corpus_dir)
    assert (second.added, second.updated, second.removed, second.embedded) == (0, 0, 0, 0)
    assert second.unchanged == first.chunks
    assert fake_embedder.documents_embedded == first.chunks


def test_editing_one_section_re_embeds_only_it(built) -> None:
    settings, corpus_dir, embedder = built
    path = corpus_dir / "SOP-101.md"
    path.write_text(path.read_text().replace("pacs.009 cover", "pacs.009 COV cover"))
    before = embedder.documents_embedded
    report = build_index(settings, embedder=embedder, corpus_dir=corpus_dir)
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 1, 0, 1)
    assert embedder.documents_embedded == before + 1
    hit = open_retriever(settings, embedder=embedder).get_section("SOP-101", "2.2")
    assert hit is not None and "pacs.009 COV cover" in hit.text


def test_removed_section_and_added_file_are_reported(built) -> None:
    settings, corpus_dir, embedder = built
    path = corpus_dir / "SOP-103.md"
    path.write_text(path.read_text().split("## 2. Approval limits")[0])
    (corpus_dir / "SOP-104.md").write_text(
        (corpus_dir / "SOP-103.md").read_text().replace("SOP-103", "SOP-104")
    )
    report = build_index(settings, embedder=embedder, corpus_dir=corpus_dir)
    assert (report.added, report.removed) == (1, 1)
    retriever = open_retriever(settings, embedder=embedder)
    assert retriever.get_section("SOP-103", "2") is None
    assert retriever.collection.count() == report.chunks


def test_rebuild_embeds_everything_again(built) -> None:
    settings, corpus_dir, embedder = built
    report = build_index(settings, embedder=embedder, corpus_dir=corpus_dir, rebuild=True)
    assert report.added == report.chunks and report.unchanged == 0


def test_malformed_file_stops_the_build_before_writing(settings, corpus_dir, fake_embedder) -> None:
    (corpus_dir / "SOP-105.md").write_text("---\nid: SOP-105\n---\n## 1. x\ny\n")
    with pytest.raises(CorpusError, match=r"SOP-105\.md: field 'title'"):
        build_index(settings, embedder=fake_embedder, corpus_dir=corpus_dir)
    assert fake_embedder.documents_embedded == 0


def test_open_before_build_says_how_to_fix(settings, fake_embedder) -> None:
    with pytest.raises(IndexNotBuilt, match="run `payinvest index build`"):
        open_retriever(settings, embedder=fake_embedder)


def test_open_with_another_embedder_is_refused(built) -> None:
    settings, _, _ = built

    class Other:
        name = "other-model"

    with pytest.raises(IndexNotBuilt, match="fake-hash-64"):
        open_retriever(settings, embedder=Other())  # type: ignore[arg-type]


def test_missing_chroma_collection_is_index_not_built(built) -> None:
    settings, _, embedder = built
    from retrieval.index import chroma_client

    chroma_client(settings).delete_collection(settings.chroma_collection)
    with pytest.raises(IndexNotBuilt, match="missing"):
        open_retriever(settings, embedder=embedder)


def test_data_lives_under_the_data_dir(built) -> None:
    settings, _, _ = built
    data = Path(settings.resolved_data_dir)
    assert (data / "bm25" / "manifest.json").exists()
    assert (data / "chroma").is_dir()


def test_unreachable_chroma_server_is_a_clear_error(settings, fake_embedder) -> None:
    from retrieval.errors import ChromaUnavailable

    down = settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"})
    with pytest.raises(ChromaUnavailable, match=r"cannot open Chroma at http://127\.0\.0\.1:9"):
        build_index(down, embedder=fake_embedder, corpus_dir=Path(__file__).parent / "fixtures" / "corpus")


def test_each_stored_vector_belongs_to_its_own_chunk(built) -> None:
    settings, _, embedder = built
    from retrieval.index import chroma_client

    stored = (
        chroma_client(settings)
        .get_collection(settings.chroma_collection)
        .get(include=["documents", "embeddings"])
    )
    for document, vector in zip(stored["documents"], stored["embeddings"], strict=True):
        assert list(vector) == pytest.approx(embedder.embed_documents([document])[0], abs=1e-6)
