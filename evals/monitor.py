"""Drift monitor: a recent window of production turns against the evaluation reference of the release.

Each signal is binned the same way on both sides and compared with the population stability index,
``PSI = sum((a - e) * ln(a / e))`` over bins (shares ``e`` in the reference, ``a`` in the window, empty bins
floored at 0.0001). Levels (docs/operations.md): PSI < 0.10 ``ok``, 0.10-0.25 ``watch``, >= 0.25 ``alert``;
a window with fewer than ``MIN_TURNS`` turns is ``insufficient`` whatever its PSI.

Analysts' thumbs-down have no counterpart in an evaluation run, so they are not a PSI signal: the report gives
the window's thumbs-down rate per turn with absolute levels (``FEEDBACK_WATCH`` 0.10, ``FEEDBACK_ALERT`` 0.25)."""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from agent.store import turns
from core.audit import audit_events
from evals.shadow_report import compare_pairs, render_shadow_html, window_shadow

WATCH, ALERT = 0.10, 0.25
MIN_TURNS = 20
FEEDBACK_WATCH, FEEDBACK_ALERT = 0.10, 0.25
FLOOR = 1e-4
MONITOR_SCHEMA = "payinvest.monitor.report/1"
# Turn latency bins (seconds): the embedded model's turns are 10-60 s on two cores.
LATENCY_EDGES = (2.0, 5.0, 10.0, 20.0, 40.0, 80.0)
CONFIDENCE_EDGES = (0.3, 0.5, 0.7, 0.85, 0.95)


@dataclass(frozen=True)
class TurnSignals:
    """What the monitor reads from one analyst turn (production TurnResult or eval TurnRecord)."""

    case_type: str
    unsupported: bool
    llm_fallback: bool  # the model failed or was not called: the answer is the deterministic fallback
    latency_s: float | None
    confidence: float | None = None
    top_score: float | None = None


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``24h``, ``7d``, ``30m`` (before now) or an ISO 8601 time; ValueError with a clear message otherwise."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"(\d+)([mhd])", value.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            return now - timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
        except OverflowError:
            raise ValueError(f"--since {value!r} reaches before year 1") from None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"--since must be like 24h, 7d, 30m or an ISO time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_turn_result(result: dict[str, Any]) -> TurnSignals:
    """Signals of one stored production TurnResult."""
    calls = result.get("llm_calls") or []
    confidence = ((result.get("classification") or {}).get("intent") or {}).get("confidence")
    scores = [h.get("score") for h in result.get("retrieved") or [] if h.get("score") is not None]
    latency = result.get("latency_ms")
    return TurnSignals(
        case_type=str(result.get("case_type") or "none"),
        unsupported=int(result.get("unsupported_claims") or 0) > 0,
        llm_fallback=not calls or any(not c.get("ok") for c in calls),
        latency_s=float(latency) / 1000 if latency is not None else None,
        confidence=float(confidence) if confidence is not None else None,
        top_score=max(scores) if scores else None,
    )


def from_eval_report(report: dict[str, Any]) -> list[TurnSignals]:
    """Signals of every analyst turn of an eval report.json (its scenarios' trajectories)."""
    out: list[TurnSignals] = []
    for scenario in report.get("scenarios") or []:
        for turn in (scenario.get("trajectory") or {}).get("turns") or []:
            if turn.get("role") != "analyst" or turn.get("error"):
                continue
            latency = turn.get("latency_s") if turn.get("latency_s") is not None else turn.get("wall_s")
            out.append(
                TurnSignals(
                    case_type=str(turn.get("case_type") or scenario.get("case_type") or "none"),
                    unsupported=int(turn.get("unsupported_claims") or 0) > 0,
                    llm_fallback=int(turn.get("llm_calls") or 0) == 0
                    or int(turn.get("llm_failures") or 0) > 0,
                    latency_s=float(latency) if latency is not None else None,
                )
            )
    return out


def window_turns(engine: Engine, since: datetime) -> list[TurnSignals]:
    """Signals of the production turns stored since ``since`` (every worker writes to the same table)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(turns.c.result, turns.c.created_at).where(turns.c.created_at >= since)
        ).all()
    return [from_turn_result(r.result) for r in rows if isinstance(r.result, dict)]


def window_feedback(engine: Engine, since: datetime) -> dict[str, int]:
    """Thumbs up / down recorded since ``since`` (audit ``feedback`` events of every worker)."""
    stamp = since.astimezone(UTC).isoformat(timespec="seconds")
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.payload).where(
                audit_events.c.event_type == "feedback", audit_events.c.ts >= stamp
            )
        ).all()
    ratings = Counter(str(json.loads(r.payload).get("rating")) for r in rows)
    return {"up": ratings.get("up", 0), "down": ratings.get("down", 0)}


def feedback_summary(counts: dict[str, int], window_turns: int) -> dict[str, Any]:
    """The thumbs-down rate per turn of the window, with its absolute alert level."""
    rate = counts["down"] / window_turns if window_turns else None
    if rate is None or window_turns < MIN_TURNS:
        status = "insufficient"
    else:
        status = "alert" if rate >= FEEDBACK_ALERT else "watch" if rate >= FEEDBACK_WATCH else "ok"
    return {**counts, "turns": window_turns, "thumbs_down_rate": rate, "level": status}


def _bin(value: float, edges: tuple[float, ...]) -> str:
    for edge in edges:
        if value < edge:
            return f"<{edge:g}"
    return f">={edges[-1]:g}"


def shares(labels: Iterable[str]) -> dict[str, float]:
    counts = Counter(labels)
    n = sum(counts.values())
    return {k: v / n for k, v in sorted(counts.items())} if n else {}


def psi(expected: dict[str, float], actual: dict[str, float]) -> float:
    """Population stability index over the union of bins (empty bins floored)."""
    total = 0.0
    for key in set(expected) | set(actual):
        e, a = max(expected.get(key, 0.0), FLOOR), max(actual.get(key, 0.0), FLOOR)
        total += (a - e) * math.log(a / e)
    return round(total, 4)


def level(value: float | None, n: int) -> str:
    if value is None:
        return "no_reference"
    if n < MIN_TURNS:
        return "insufficient"
    return "alert" if value >= ALERT else "watch" if value >= WATCH else "ok"


_SIGNALS: dict[str, Any] = {
    "case_type_mix": lambda t: t.case_type,
    "unsupported_claims": lambda t: "some" if t.unsupported else "none",
    "llm_fallback": lambda t: "fallback" if t.llm_fallback else "model",
    "latency": lambda t: _bin(t.latency_s, LATENCY_EDGES) if t.latency_s is not None else None,
    "classifier_confidence": lambda t: (
        _bin(t.confidence, CONFIDENCE_EDGES) if t.confidence is not None else None
    ),
    "retrieval_top_score": lambda t: (
        _bin(t.top_score, (0.2, 0.4, 0.6, 0.8)) if t.top_score is not None else None
    ),
}


def compare(reference: list[TurnSignals], window: list[TurnSignals]) -> dict[str, Any]:
    """One entry per signal: reference and window shares, PSI and alert level."""
    signals: dict[str, Any] = {}
    for name, key in _SIGNALS.items():
        ref = shares(v for v in map(key, reference) if v is not None)
        cur = shares(v for v in map(key, window) if v is not None)
        value = psi(ref, cur) if ref and cur else None
        n = sum(1 for t in window if key(t) is not None)
        signals[name] = {"psi": value, "level": level(value, n), "n": n, "reference": ref, "window": cur}
        if not ref:
            signals[name]["note"] = "the reference does not record this signal"
    return signals


def build_report(
    reference: list[TurnSignals],
    window: list[TurnSignals],
    *,
    since: datetime,
    reference_path: str,
    feedback: dict[str, int] | None = None,
    shadow: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    signals = compare(reference, window)
    thumbs = feedback_summary(feedback or {"up": 0, "down": 0}, len(window))
    levels = [s["level"] for s in signals.values()] + [thumbs["level"]]
    worst = next((lv for lv in ("alert", "watch") if lv in levels), "ok")
    return {
        "schema": MONITOR_SCHEMA,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "since": since.isoformat(timespec="seconds"),
        "reference": reference_path,
        "reference_turns": len(reference),
        "window_turns": len(window),
        "thresholds": {"watch": WATCH, "alert": ALERT, "min_turns": MIN_TURNS},
        "status": "insufficient" if len(window) < MIN_TURNS else worst,
        "alerts": sorted(
            [n for n, s in signals.items() if s["level"] == "alert"]
            + (["thumbs_down_rate"] if thumbs["level"] == "alert" else [])
        ),
        "signals": signals,
        "feedback": thumbs,
        "feedback_thresholds": {"watch": FEEDBACK_WATCH, "alert": FEEDBACK_ALERT},
        "shadow": compare_pairs(shadow or []),
    }


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page: one table per signal with reference and window shares drawn as bars."""
    colour = {"ok": "#2e7d32", "watch": "#ef6c00", "alert": "#c62828"}
    parts = [
        "<!doctype html><meta charset='utf-8'><title>payinvest drift monitor</title>",
        "<style>body{font:14px sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
        ".bar{display:inline-block;height:10px}</style>",
        f"<h1>Drift monitor: {html.escape(report['status'])}</h1>",
        f"<p>{report['window_turns']} turns since {html.escape(report['since'])} against "
        f"{report['reference_turns']} reference turns ({html.escape(report['reference'])}). "
        f"PSI &lt; {WATCH} ok, &lt; {ALERT} watch, otherwise alert.</p>",
    ]
    for name, signal in report["signals"].items():
        psi_text = "n/a" if signal["psi"] is None else f"{signal['psi']:.3f}"
        tint = colour.get(signal["level"], "#555")
        parts.append(
            f"<h2>{html.escape(name)}: <span style='color:{tint}'>{html.escape(signal['level'])}</span>"
            f" (PSI {psi_text}, n={signal['n']})</h2><table><tr><th>bin</th><th>reference</th><th>window</th></tr>"
        )
        for key in sorted(set(signal["reference"]) | set(signal["window"])):
            ref, cur = signal["reference"].get(key, 0.0), signal["window"].get(key, 0.0)
            parts.append(
                f"<tr><td>{html.escape(key)}</td>"
                f"<td><span class='bar' style='width:{ref * 200:.0f}px;background:#90a4ae'></span> {ref:.1%}</td>"
                f"<td><span class='bar' style='width:{cur * 200:.0f}px;background:{tint}'></span> {cur:.1%}</td></tr>"
            )
        parts.append("</table>")
    thumbs = report.get("feedback")
    if thumbs:
        rate = "n/a" if thumbs["thumbs_down_rate"] is None else f"{thumbs['thumbs_down_rate']:.1%}"
        tint = colour.get(thumbs["level"], "#555")
        parts.append(
            f"<h2>thumbs_down_rate: <span style='color:{tint}'>{html.escape(thumbs['level'])}</span></h2>"
            f"<p>{thumbs['down']} thumbs-down and {thumbs['up']} thumbs-up on {thumbs['turns']} turns: {rate} "
            f"(absolute levels: watch from {FEEDBACK_WATCH:.0%}, alert from {FEEDBACK_ALERT:.0%}).</p>"
        )
    if report.get("shadow"):
        parts.append(render_shadow_html(report["shadow"]))
    return "\n".join(parts)


def write_report(report: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / "monitor.json", directory / "monitor.html"
    json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


class MonitorError(ValueError):
    """No reference to compare with, or an unreadable one."""


def serving_reference(engine: Engine) -> Path:
    """The eval report of the serving release (``payinvest release promote``)."""
    from core.releases import ReleaseStore

    store = ReleaseStore(engine, audit=None)
    serving = store.serving_id()
    release = store.get(serving) if serving else None
    if release is None:
        raise MonitorError("no serving release: pass --reference REPORT.json")
    return Path(release.report_path)


def monitor_report(engine: Engine, since: datetime, reference: Path | None = None) -> dict[str, Any]:
    """The drift report of the turns since ``since`` against ``reference`` (default: the serving release's)."""
    path = reference or serving_reference(engine)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MonitorError(f"{path}: not a readable eval report ({exc})") from None
    reference_turns = from_eval_report(data) if isinstance(data, dict) else []
    if not reference_turns:
        raise MonitorError(f"{path}: the report has no analyst turns to compare with")
    return build_report(
        reference_turns,
        window_turns(engine, since),
        since=since,
        reference_path=str(path),
        feedback=window_feedback(engine, since),
        shadow=window_shadow(engine, since),
    )
