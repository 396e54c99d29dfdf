"""Citation validation: keep only citations of retrieved sections and evidence ids; count the rest."""

from __future__ import annotations

import re

_BRACKET_RE = re.compile(r"\s?\[([^\[\]\n]{1,80})\]")
_EVIDENCE_RE = re.compile(r"^E\d+$")
_SOP_RE = re.compile(r"^SOP-[A-Za-z0-9-]+(\s*§\s*[\d.]+)?$")


def _normal(citation: str) -> str:
    return re.sub(r"\s*§\s*", " §", citation.strip())


def validate_citations(text: str, evidence_ids: set[str], sections: set[str]) -> tuple[str, list[str], int]:
    """Return (text without invalid citations, valid citations in order, number removed)."""
    sections = {_normal(s) for s in sections}
    valid: list[str] = []
    removed = 0

    def is_valid(part: str) -> bool:
        if _EVIDENCE_RE.match(part):
            return part in evidence_ids
        if _SOP_RE.match(part):
            return part in sections or any(s.startswith(part + ".") for s in sections)
        return False

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        parts = [_normal(p) for p in match.group(1).split(",")]
        if not all(_EVIDENCE_RE.match(p) or _SOP_RE.match(p) for p in parts):
            return match.group(0)  # ordinary brackets, not a citation
        kept = [p for p in parts if is_valid(p)]
        removed += len(parts) - len(kept)
        valid.extend(p for p in kept if p not in valid)
        return f" [{', '.join(kept)}]" if kept else ""

    return _BRACKET_RE.sub(replace, text), valid, removed
