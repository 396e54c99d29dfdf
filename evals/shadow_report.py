"""The shadow comparison of the drift monitor: champion vs challenger on the same production turns.

Reads the ``shadow_turn`` audit events (agent.shadow) of the window and reports, per challenger release, how
often it agreed with the champion on the case type and on the proposals (the same kinds and reason codes),
how often it failed, and both sides' turn latency (median and 95th percentile)."""

from __future__ import annotations

import html
import json
import statistics
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from agent.shadow import SHADOW_EVENT
from core.audit import audit_events


def window_shadow(engine: Engine, since: datetime) -> list[dict[str, Any]]:
    """The shadow pairs audited since ``since`` (every worker appends to the same log)."""
    stamp = since.astimezone(UTC).isoformat(timespec="seconds")
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.payload).where(
                audit_events.c.event_type == SHADOW_EVENT, audit_events.c.ts >= stamp
            )
        ).all()
    return [json.loads(r.payload) for r in rows]


def _latency(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def _rate(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def compare_pairs(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement and latency per challenger release (``challengers``), over the pairs of the window."""
    by_release: dict[str, list[dict[str, Any]]] = {}
    for pair in pairs:
        by_release.setdefault(str((pair.get("challenger") or {}).get("release_id")), []).append(pair)
    challengers = []
    for release_id, group in sorted(by_release.items()):
        ran = [p for p in group if not p["challenger"].get("error")]
        case_hits = sum(1 for p in ran if p["champion"].get("case_type") == p["challenger"].get("case_type"))
        proposal_hits = sum(
            1 for p in ran if p["champion"].get("proposals") == p["challenger"].get("proposals")
        )
        champion_ms = [
            float(p["champion"]["latency_ms"]) for p in ran if p["champion"].get("latency_ms") is not None
        ]
        challenger_ms = [
            float(p["challenger"]["latency_ms"]) for p in ran if p["challenger"].get("latency_ms") is not None
        ]
        challengers.append(
            {
                "release_id": release_id,
                "champion_releases": sorted({str(p["champion"].get("release_id")) for p in group}),
                "turns": len(group),
                "errors": len(group) - len(ran),
                "case_type_agreement": _rate(case_hits, len(ran)),
                "proposal_agreement": _rate(proposal_hits, len(ran)),
                "champion_latency": _latency(champion_ms),
                "challenger_latency": _latency(challenger_ms),
                "disagreements": [
                    {
                        "thread_id": p.get("thread_id"),
                        "champion": {k: p["champion"].get(k) for k in ("case_type", "proposals")},
                        "challenger": {k: p["challenger"].get(k) for k in ("case_type", "proposals")},
                    }
                    for p in ran
                    if p["champion"].get("case_type") != p["challenger"].get("case_type")
                    or p["champion"].get("proposals") != p["challenger"].get("proposals")
                ][:20],
            }
        )
    return {"turns": len(pairs), "challengers": challengers}


def render_shadow_html(shadow: dict[str, Any]) -> str:
    """The shadow section of the monitor's HTML page."""
    parts = [f"<h2>Shadow champion vs challenger ({shadow['turns']} turns)</h2>"]
    if not shadow["challengers"]:
        parts.append(
            "<p>No shadow turns in the window (PAYINVEST_SHADOW_RELEASE / PAYINVEST_SHADOW_SHARE).</p>"
        )
    for c in shadow["challengers"]:

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        parts.append(
            f"<h3>{html.escape(c['release_id'])} against {html.escape(', '.join(c['champion_releases']))}</h3>"
            f"<p>{c['turns']} turns, {c['errors']} challenger errors; case type agreement "
            f"{pct(c['case_type_agreement'])}, proposal agreement {pct(c['proposal_agreement'])}; latency p50 "
            f"{c['champion_latency']['p50_ms']} ms champion, {c['challenger_latency']['p50_ms']} ms challenger.</p>"
        )
    return "\n".join(parts)
