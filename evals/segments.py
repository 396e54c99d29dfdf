"""Every metric by segment: case type, reference kind, phrasing style, single vs multi-turn; the worst segment."""

from __future__ import annotations

from typing import Any

from core.domain import CASE_ID_RE, E2E_ID_RE, PAYMENT_ID_RE, UETR_RE
from evals.dataset import EvalCase
from evals.gate import Thresholds
from evals.metrics import CaseScore, aggregate

AXES = ("case_type", "reference_kind", "style", "turns")
MIN_SEGMENT = 3  # smaller segments are shown but never named the worst (one case is not a pattern)


def reference_kind(case: EvalCase) -> str:
    """How the first message names the payment: the dataset's label, else read from the text."""
    if case.reference_kind is not None:
        return case.reference_kind
    text = case.turns[0].content or ""
    for kind, pattern in (
        ("uetr", UETR_RE),
        ("payment_id", PAYMENT_ID_RE),
        ("end_to_end_id", E2E_ID_RE),
        ("case_id", CASE_ID_RE),
    ):
        if pattern.search(text):
            return kind
    return "none" if case.case_type.value == "general" else "description"


def case_segments(case: EvalCase) -> dict[str, str]:
    """The segment of a case on every axis."""
    return {
        "case_type": case.case_type.value,
        "reference_kind": reference_kind(case),
        "style": case.style or "unlabelled",
        "turns": "multi-turn" if case.multi_turn else "single-turn",
    }


def segment_table(
    pairs: list[tuple[EvalCase, CaseScore]], names: tuple[str, ...]
) -> dict[str, dict[str, dict[str, Any]]]:
    """axis -> segment -> {n, metric: mean} over the scored cases."""
    table: dict[str, dict[str, list[CaseScore]]] = {axis: {} for axis in AXES}
    for case, score in pairs:
        for axis, segment in case_segments(case).items():
            table[axis].setdefault(segment, []).append(score)
    return {
        axis: {seg: {"n": len(scores), **aggregate(scores, names)} for seg, scores in sorted(groups.items())}
        for axis, groups in table.items()
    }


def worst_segment(
    table: dict[str, dict[str, dict[str, Any]]], thresholds: Thresholds
) -> dict[str, Any] | None:
    """The segment (n >= 3) furthest from a gated metric's standard; ties go to the larger segment."""
    worst: tuple[float, int, dict[str, Any]] | None = None
    for axis, segments in table.items():
        for segment, values in segments.items():
            if values["n"] < MIN_SEGMENT:
                continue
            for name, threshold in thresholds.metrics.items():
                if not threshold.gated or values.get(name) is None:
                    continue
                gap = threshold.shortfall(values[name]) or 0.0
                entry = {
                    "axis": axis,
                    "segment": segment,
                    "n": values["n"],
                    "metric": name,
                    "value": values[name],
                    "standard": threshold.target,
                    "to_standard": gap,
                }
                key = (gap, values["n"])
                if worst is None or key > worst[:2]:
                    worst = (gap, values["n"], entry)
    return None if worst is None else worst[2]
