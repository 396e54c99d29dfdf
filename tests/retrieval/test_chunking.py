"""Chunking follows the numbered sections and keeps breadcrumbs, anchors and citations."""

from __future__ import annotations

from pathlib import Path

from retrieval.chunking import MAX_CHUNK_CHARS, chunk_document
from retrieval.corpus import load_sop, parse_sop_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"


def test_section_with_subsections_gives_intro_plus_one_chunk_each() -> None:
    chunks = chunk_document(load_sop(FIXTURES / "SOP-101.md"))
    assert [c.section for c in chunks] == ["1", "2", "2.1", "2.2", "3"]
    sub = chunks[2]
    assert sub.citation == "SOP-101 §2.1"
    assert sub.anchor == "sop-101-2-1"
    assert sub.section_title == "Read the tracker status reason"
    assert (
        sub.breadcrumb == "Missing cover funds › 2. Checks before acting › 2.1 Read the tracker status reason"
    )
    assert sub.embed_text.startswith(sub.breadcrumb)
    assert "G004" in sub.text and "MT202" not in sub.text
    assert sub.chunk_id == "SOP-101@2.0#2.1"
    assert sub.case_types == ["missing_cover", "claim_non_receipt"]
    assert (sub.version, sub.status, sub.effective_date) == ("2.0", "effective", "2026-03-01")


def test_superseded_chunks_carry_their_successor() -> None:
    chunks = chunk_document(load_sop(FIXTURES / "SOP-102-v3.md"))
    assert {c.status for c in chunks} == {"superseded"}
    assert {c.superseded_by for c in chunks} == {"4.0"}
    assert chunks[0].chunk_id == "SOP-102@3.0#1"


def test_content_hash_changes_only_for_the_edited_section() -> None:
    path = FIXTURES / "SOP-101.md"
    before = {c.chunk_id: c.content_hash for c in chunk_document(load_sop(path))}
    text = path.read_text().replace("on the nostro statement", "on the nostro statement (camt.053)")
    after = {c.chunk_id: c.content_hash for c in chunk_document(parse_sop_text(text, path))}
    assert [cid for cid in before if before[cid] != after[cid]] == ["SOP-101@2.0#2.2"]


def test_long_section_is_split_into_parts_with_the_same_citation() -> None:
    paragraph = "Check the tracker and the nostro account before you send a claim. " * 8
    body = "\n\n".join([paragraph] * 6)
    text = (FIXTURES / "SOP-103.md").read_text() + f"\n## 3. Long section\n{body}\n"
    chunks = [c for c in chunk_document(parse_sop_text(text, Path("SOP-103.md"))) if c.section == "3"]
    assert len(chunks) > 1
    assert {c.citation for c in chunks} == {"SOP-103 §3"}
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert [c.part for c in chunks] == list(range(1, len(chunks) + 1))
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_headings_inside_code_blocks_are_not_sections() -> None:
    text = (FIXTURES / "SOP-103.md").read_text() + "\n## 3. Example\n```\n## 9. not a heading\n```\n"
    sections = [c.section for c in chunk_document(parse_sop_text(text, Path("SOP-103.md")))]
    assert sections == ["1", "2", "3"]
