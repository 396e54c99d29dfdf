"""SOP corpus files: front matter parsing and validation (``CorpusError`` names the file and field)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.domain import CaseType
from retrieval.errors import CorpusError

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
SOP_ID_RE = re.compile(r"^SOP-\d{3}$")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)


class SopFrontMatter(BaseModel):
    """Validated front matter of one SOP file."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(description="SOP identifier such as SOP-001.")
    title: str = Field(min_length=3, max_length=200)
    version: str = Field(pattern=r"^\d+(\.\d+)*$", description="Version as a quoted string, e.g. '3.1'.")
    status: Literal["effective", "superseded"]
    superseded_by: str | None = Field(default=None, pattern=r"^\d+(\.\d+)*$")
    effective_date: date
    review_date: date | None = None
    owner: str = Field(min_length=2)
    case_types: list[CaseType] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not SOP_ID_RE.match(value):
            raise ValueError("must look like SOP-001")
        return value

    @field_validator("version", "superseded_by", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _check_superseded(self) -> SopFrontMatter:
        if self.status == "superseded" and not self.superseded_by:
            raise ValueError("superseded_by: required when status is superseded")
        return self


@dataclass(frozen=True)
class SopDocument:
    """One parsed SOP file: front matter plus the markdown body."""

    meta: SopFrontMatter
    body: str
    path: Path


def parse_sop_text(text: str, path: Path) -> SopDocument:
    """Parse one SOP file's text; raise ``CorpusError`` naming the file and field on any problem."""
    name = path.name
    match = _FRONT_MATTER_RE.match(text.lstrip("\ufeff"))
    if not match:
        raise CorpusError(name, "missing front matter (a '---' block at the top of the file)")
    try:
        raw = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise CorpusError(name, f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(raw, dict):
        raise CorpusError(name, "front matter must be a mapping of fields")
    try:
        meta = SopFrontMatter.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(part) for part in err["loc"]) or None
        message = err["msg"]
        if field is None and message.startswith("Value error, superseded_by"):
            field, message = "superseded_by", "required when status is superseded"
        raise CorpusError(name, message.removeprefix("Value error, "), field=field) from exc
    body = match.group(2)
    if not re.search(r"^##\s+\S", body, re.MULTILINE):
        raise CorpusError(name, "body has no numbered '##' sections")
    return SopDocument(meta=meta, body=body, path=path)


def load_sop(path: Path) -> SopDocument:
    """Read and parse one SOP file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(path.name, "file is not UTF-8 text") from exc
    return parse_sop_text(text, path)


def load_corpus(corpus_dir: Path | None = None) -> list[SopDocument]:
    """Load every ``SOP-*.md`` file of the corpus, checking that (id, version) pairs are unique."""
    directory = corpus_dir or DEFAULT_CORPUS_DIR
    if not directory.is_dir():
        raise CorpusError(str(directory), "corpus directory does not exist")
    docs = [load_sop(path) for path in sorted(directory.glob("SOP-*.md"))]
    if not docs:
        raise CorpusError(str(directory), "no SOP-*.md files found")
    seen: dict[tuple[str, str], str] = {}
    effective: dict[str, str] = {}
    for doc in docs:
        key = (doc.meta.id, doc.meta.version)
        if key in seen:
            raise CorpusError(doc.path.name, f"duplicates {seen[key]} ({key[0]} version {key[1]})", "version")
        seen[key] = doc.path.name
        if doc.meta.status == "effective":
            if doc.meta.id in effective:
                raise CorpusError(doc.path.name, f"second effective version of {doc.meta.id}", "status")
            effective[doc.meta.id] = doc.path.name
    return docs
