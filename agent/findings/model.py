"""A finding: one short statement an analyst can act on, with the evidence ids it rests on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Finding:
    """``untrusted`` findings quote free text (case notes): shown to the analyst, never sent to the model."""

    kind: str
    text: str
    evidence_ids: list[str]
    citations: list[str] = field(default_factory=list)
    untrusted: bool = False
    id: str = ""
    brief: str = ""  # a shorter wording for the model's prompt (prompt tokens cost seconds on 2 cores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "evidence_ids": [e for e in self.evidence_ids if e],
            "citations": self.citations,
            "untrusted": self.untrusted,
            "brief": self.brief or self.text,
        }

    def line(self) -> str:
        """The finding as the analyst reads it: the statement and its sources."""
        sources = " ".join(f"[{e}]" for e in [*self.evidence_ids, *self.citations] if e)
        return f"{self.text} {sources}".strip()
