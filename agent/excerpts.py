"""The lines of an SOP section that answer a question: what the findings and general answers quote."""

from __future__ import annotations

import re

_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]+")
_CODE = re.compile(r"^(?:[A-Z]{2,4}\d{0,3}|[A-Z]\d{3}|camt\.\d{3}|pacs\.\d{3})$")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "what",
        "does",
        "mean",
        "should",
        "with",
        "that",
        "this",
        "from",
        "when",
        "have",
        "are",
        "can",
        "our",
        "how",
        "why",
    ]
)


def relevant_excerpt(text: str, question: str, limit: int = 320, *, or_start: bool = True) -> str:
    """The lines of a section that answer the question best (codes it names count most), in their order,
    within ``limit`` characters; when nothing matches, the section's start (``or_start``) or ""."""
    flat = " ".join(text.split())
    start = flat[:limit] if or_start else ""
    if not question.strip():
        return start
    terms = {t.lower() for t in _TERM.findall(question) if t.lower() not in _STOP and len(t) > 2}
    codes = {t for t in _TERM.findall(question) if _CODE.match(t)}
    # sentences, lines, and the rows of a table flattened into one line ("| a | b | | c | d |")
    pieces = [p.strip() for p in re.split(r"(?<=[.;:!?])\s+|\n|(?<=\|)\s+(?=\|)", text) if p.strip()]
    scored = []
    for index, piece in enumerate(pieces):
        words = {w.lower() for w in _TERM.findall(piece)}
        score = 3 * len(codes & set(_TERM.findall(piece))) + len(terms & words)
        scored.append((score, index, " ".join(piece.split())))
    best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    if not best:
        return start
    chosen: list[tuple[int, str]] = []
    used = 0
    for _, index, piece in best:
        if used + len(piece) > limit and chosen:
            break
        chosen.append((index, piece[:limit]))
        used += len(piece) + 1
    return " … ".join(piece for _, piece in sorted(chosen))
