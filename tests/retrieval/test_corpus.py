"""Front-matter validation: a malformed SOP file gets a clear error naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.corpus import load_corpus, parse_sop_text
from retrieval.errors import CorpusError

GOOD = """---
id: SOP-200
title: Charges queries
version: "1.0"
status: effective
effective_date: 2026-01-01
owner: Payments Investigations
case_types: [charges]
---
# SOP-200 Charges queries
## 1. Purpose
Text.
"""


def test_valid_front_matter_parses() -> None:
    doc = parse_sop_text(GOOD, Path("SOP-200.md"))
    assert doc.meta.id == "SOP-200"
    assert doc.meta.version == "1.0"
    assert [str(c) for c in doc.meta.case_types] == ["charges"]


def test_unquoted_numeric_version_is_accepted_as_text() -> None:
    doc = parse_sop_text(GOOD.replace('version: "1.0"', "version: 2.5"), Path("SOP-200.md"))
    assert doc.meta.version == "2.5"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("id: SOP-200", "id: SOP200", "id"),
        ('version: "1.0"', 'version: "one"', "version"),
        ("status: effective", "status: draft", "status"),
        ("effective_date: 2026-01-01", "effective_date: someday", "effective_date"),
        ("case_types: [charges]", "case_types: [charges, teleportation]", "case_types.1"),
        ("case_types: [charges]", "case_types: []", "case_types"),
        ("owner: Payments Investigations\n", "", "owner"),
        ("status: effective", "status: superseded", "superseded_by"),
    ],
)
def test_malformed_field_is_named(old: str, new: str, field: str) -> None:
    with pytest.raises(CorpusError) as info:
        parse_sop_text(GOOD.replace(old, new), Path("SOP-200.md"))
    assert info.value.path == "SOP-200.md"
    assert info.value.field == field
    assert str(info.value).startswith(f"SOP-200.md: field '{field}'")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no front matter\n## 1. Purpose\nx\n", "missing front matter"),
        ("---\nid: [unclosed\n---\n## 1. A\nx\n", "not valid YAML"),
        ("---\n- a list\n---\n## 1. A\nx\n", "mapping"),
        (GOOD.split("# SOP-200")[0] + "just text, no sections\n", "no numbered"),
    ],
)
def test_malformed_file_is_named(text: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as info:
        parse_sop_text(text, Path("SOP-201.md"))
    assert str(info.value).startswith("SOP-201.md")


def test_two_effective_versions_of_one_sop_are_rejected(corpus_dir: Path) -> None:
    text = (corpus_dir / "SOP-102-v3.md").read_text().replace("status: superseded", "status: effective")
    (corpus_dir / "SOP-102-v3.md").write_text(text)
    with pytest.raises(CorpusError, match="second effective version of SOP-102"):
        load_corpus(corpus_dir)


def test_empty_corpus_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no SOP"):
        load_corpus(tmp_path)


def test_project_corpus_is_valid() -> None:
    docs = load_corpus()
    assert len({d.meta.id for d in docs}) >= 10
