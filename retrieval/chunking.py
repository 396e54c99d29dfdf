"""Split an SOP into section chunks that keep a breadcrumb, an anchor and a citation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from retrieval.corpus import SopDocument

MAX_CHUNK_CHARS = 1200  # MiniLM reads 256 word pieces; longer sections are split into parts
_HEADING_RE = re.compile(r"^(#{2,3})\s+(.+?)\s*#*\s*$")
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")


@dataclass
class Chunk:
    """One retrievable unit: a section (or a part of a long one) of one SOP version."""

    chunk_id: str
    sop_id: str
    version: str
    status: str
    superseded_by: str | None
    title: str
    section: str
    section_title: str
    breadcrumb: str
    anchor: str
    effective_date: str
    case_types: list[str]
    text: str
    part: int = 1
    content_hash: str = field(default="")

    @property
    def citation(self) -> str:
        return f"{self.sop_id} §{self.section}"

    @property
    def embed_text(self) -> str:
        """Text given to the embedder and BM25: breadcrumb first (helps short sections)."""
        return f"{self.breadcrumb}\n{self.text}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Section:
    number: str
    title: str
    lines: list[str]
    parent: _Section | None = None


def _split_heading(raw: str, fallback: str) -> tuple[str, str]:
    match = _NUMBER_RE.match(raw)
    if match:
        return match.group(1), match.group(2).strip()
    return fallback, raw.strip()


def _parse_sections(body: str) -> list[_Section]:
    """Sections in document order: each ``##`` followed by its ``###`` subsections."""
    sections: list[_Section] = []
    current_top: _Section | None = None
    current: _Section | None = None
    in_code = False
    for line in body.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING_RE.match(line)
        if match:
            level, raw = match.groups()
            if level == "##":
                number, title = _split_heading(raw, str(len([s for s in sections if s.parent is None]) + 1))
                current_top = current = _Section(number, title, [])
            else:
                sub_count = len([s for s in sections if s.parent is current_top]) + 1
                parent_no = current_top.number if current_top else "0"
                number, title = _split_heading(raw, f"{parent_no}.{sub_count}")
                current = _Section(number, title, [], parent=current_top)
            sections.append(current)
        elif current is not None:
            current.lines.append(line)
    return sections


def _split_long(text: str) -> list[str]:
    """Split text at paragraph (then line) boundaries into parts of at most ``MAX_CHUNK_CHARS``."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    pieces = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    units: list[str] = []
    for piece in pieces:
        units.extend(piece.splitlines() if len(piece) > MAX_CHUNK_CHARS else [piece])
    parts: list[str] = []
    buffer = ""
    for unit in units:
        candidate = f"{buffer}\n\n{unit}" if buffer else unit
        if buffer and len(candidate) > MAX_CHUNK_CHARS:
            parts.append(buffer)
            buffer = unit
        else:
            buffer = candidate
    if buffer:
        parts.append(buffer)
    return parts


def anchor_for(sop_id: str, section: str) -> str:
    """HTML anchor of a section, e.g. ``sop-001-4-1``."""
    return f"{sop_id.lower()}-{section.replace('.', '-')}"


def chunk_document(doc: SopDocument) -> list[Chunk]:
    """Chunk one SOP: intro of each ``##`` section (when not empty) plus one chunk per ``###`` subsection."""
    meta = doc.meta
    chunks: list[Chunk] = []
    for sec in _parse_sections(doc.body):
        text = "\n".join(sec.lines).strip()
        if not text:
            continue
        trail = [meta.title]
        if sec.parent is not None:
            trail.append(f"{sec.parent.number}. {sec.parent.title}")
            trail.append(f"{sec.number} {sec.title}")
        else:
            trail.append(f"{sec.number}. {sec.title}")
        breadcrumb = " › ".join(trail)
        parts = _split_long(text)
        for index, part_text in enumerate(parts, start=1):
            suffix = f"~p{index}" if len(parts) > 1 else ""
            chunk = Chunk(
                chunk_id=f"{meta.id}@{meta.version}#{sec.number}{suffix}",
                sop_id=meta.id,
                version=meta.version,
                status=meta.status,
                superseded_by=meta.superseded_by,
                title=meta.title,
                section=sec.number,
                section_title=sec.title,
                breadcrumb=breadcrumb,
                anchor=anchor_for(meta.id, sec.number),
                effective_date=meta.effective_date.isoformat(),
                case_types=[str(ct) for ct in meta.case_types],
                text=part_text,
                part=index,
            )
            chunk.content_hash = content_hash(chunk)
            chunks.append(chunk)
    ids = [c.chunk_id for c in chunks]
    if len(ids) != len(set(ids)):
        from retrieval.errors import CorpusError

        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise CorpusError(doc.path.name, f"duplicate section numbers: {', '.join(dupes)}")
    return chunks


def content_hash(chunk: Chunk) -> str:
    """Hash of everything stored for a chunk, so any change re-embeds or updates it."""
    payload = "\x1f".join(
        [
            chunk.embed_text,
            chunk.status,
            chunk.superseded_by or "",
            chunk.effective_date,
            ",".join(chunk.case_types),
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def chunk_corpus(docs: list[SopDocument]) -> list[Chunk]:
    """Chunks of every document in corpus order."""
    return [chunk for doc in docs for chunk in chunk_document(doc)]
