"""Section-level matching of SOP citations ("SOP-001 §4" matches "SOP-001 §4.2", not "SOP-001 §5")."""

from __future__ import annotations

import re

_CITATION_RE = re.compile(r"^\s*\[?\s*(SOP-\d{3})\s*(?:§\s*([\d.]+?))?\.?\s*\]?\s*$")


def parse_citation(citation: str) -> tuple[str, tuple[str, ...]] | None:
    """Split "SOP-012 §3.2" into ("SOP-012", ("3", "2")); None when it is not an SOP citation."""
    match = _CITATION_RE.match(citation)
    if not match:
        return None
    section = match.group(2) or ""
    parts = tuple(part for part in section.split(".") if part)
    return match.group(1), parts


def sections_match(retrieved: str, expected: str) -> bool:
    """True when both name the same SOP and one section number is a dotted prefix of the other."""
    left, right = parse_citation(retrieved), parse_citation(expected)
    if left is None or right is None or left[0] != right[0]:
        return False
    shorter, longer = sorted((left[1], right[1]), key=len)
    return longer[: len(shorter)] == shorter


def align_to_expected(retrieved: list[str], expected: list[str]) -> list[str]:
    """Rename each retrieved citation to the expected section it matches, so ID metrics compare like with like."""
    aligned: list[str] = []
    for citation in retrieved:
        target = next((exp for exp in expected if sections_match(citation, exp)), citation)
        if target not in aligned:
            aligned.append(target)
    return aligned
