"""HTML rendering of an eval report, self-contained (plots inlined as base64 PNG, nothing fetched)."""

from __future__ import annotations

import html
import json
from typing import Any

from evals.metrics import RATE_METRICS
from evals.plots import latency_histogram, metric_bars, segment_heatmap

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}pre{font-size:11px;background:#f6f6f6;
overflow:auto;max-height:400px}.v{font-size:20px;font-weight:bold}.worst{background:#fff3cd;padding:.6em 1em;
border-left:4px solid #e45756}"""


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _failure(entry: dict[str, Any]) -> str:
    trajectory = json.dumps(entry["trajectory"], indent=1, default=str)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in entry["notes"] or [entry.get("error") or ""])
    segments = ", ".join(f"{k}={v}" for k, v in (entry.get("segments") or {}).items())
    return (
        f"<details><summary><b>{html.escape(entry['id'])}</b> ({html.escape(segments)})</summary>"
        f"<ul>{notes}</ul><pre>{html.escape(trajectory)}</pre></details>"
    )


def _worst(report: dict[str, Any]) -> str:
    worst = report.get("worst_segment")
    if not worst:
        return "<p class='worst'>Worst segment: none (no gated metric on a segment of 3 or more cases)</p>"
    return (
        f"<p class='worst'><b>Worst segment:</b> {html.escape(worst['axis'])} = <b>{html.escape(worst['segment'])}</b>"
        f" (n={worst['n']}): {html.escape(worst['metric'])} {worst['value']:.3f} against the standard "
        f"{worst['standard']:.3f} (short by {worst['to_standard']:.3f})</p>"
    )


def _manifest_rows(report: dict[str, Any]) -> list[list[Any]]:
    manifest = report.get("manifest") or {}
    model_file = manifest.get("model_file") or {}
    rows: list[list[Any]] = [
        ["configuration", f"{report['config']['name']} ({report['config']['digest']})"],
        ["provider / model", f"{report.get('provider')} / {report.get('model')}"],
        ["model SHA-256", model_file.get("sha256") or model_file.get("note")],
        ["prompt versions", ", ".join(f"{k}@{v}" for k, v in report["prompt_versions"].items())],
        [
            "classifier version",
            manifest.get("classifier_version") or (report.get("classifier") or {}).get("note"),
        ],
        ["corpus hash", report.get("corpus_hash")],
        [
            "thresholds version",
            f"{report.get('thresholds_version')} sha256 {manifest.get('thresholds_sha256')}",
        ],
        ["git commit", report.get("git_commit")],
    ]
    for entry in report.get("datasets") or [report.get("dataset") or {}]:
        rows.append(
            ["dataset", f"{entry.get('path')} ({entry.get('cases')} cases) sha256 {entry.get('sha256')}"]
        )
    turn = (report.get("latency") or {}).get("turn") or {}
    rows.append(
        ["duration", f"{report['seconds']} s; turn median {turn.get('median_s')} s (95% CI {turn.get('ci')})"]
    )
    return rows


def _segment_tables(segments: dict[str, dict[str, dict[str, Any]]], metrics: list[str]) -> str:
    parts = []
    for axis, groups in segments.items():
        rows = [
            [segment, values["n"], *[values.get(m) for m in metrics]] for segment, values in groups.items()
        ]
        parts.append(f"<h3>by {html.escape(axis)}</h3>" + _table([axis, "n", *metrics], rows))
    return "".join(parts)


def _baseline(report: dict[str, Any]) -> str:
    """The paired comparison with the ``--baseline`` run: one row per metric with its verdict."""
    baseline = report.get("baseline")
    if not baseline:
        return ""
    rows = [
        [
            t["metric"],
            t["verdict"] + (" (gated)" if t["gated"] else ""),
            t["difference"],
            t["difference_ci"],
            (t.get("mcnemar") or {}).get("p_value"),
            t["paired_scenarios"],
        ]
        for t in baseline.get("tests") or []
    ]
    champion = html.escape(str((baseline.get("champion") or {}).get("name")))
    regressions = ", ".join(baseline.get("gated_regressions") or []) or "none"
    return (
        f"<h2>Against the baseline ({champion}): {html.escape(str(baseline.get('verdict')))}</h2>"
        f"<p>Significantly worse on gated metrics: {html.escape(regressions)}</p>"
        + _table(["metric", "verdict", "difference", "95% CI", "McNemar p", "paired"], rows)
    )


def render_html(report: dict[str, Any]) -> str:
    """The whole report page."""
    gate = report.get("gate") or {}
    rows = gate.get("rows", [])
    verdict = "" if not gate else ("PASSED" if gate["passed"] else "FAILED")
    gate_rows = [
        [
            r["metric"],
            r["value"],
            r.get("ci"),
            r["threshold"],
            r.get("standard"),
            r.get("to_standard"),
            r["gated"],
            r["status"],
        ]
        for r in rows
    ]
    segments = report.get("segments") or {}
    shown = [
        m for m in RATE_METRICS if any(v.get(m) is not None for g in segments.values() for v in g.values())
    ]
    latency = report.get("latency") or {}
    turn_values = (latency.get("turn") or {}).get("values_s") or []
    findings_values = (latency.get("findings") or {}).get("values_s") or []
    latency_rows = [
        [name, v.get("n"), v.get("median_s"), v.get("ci"), v.get("p90_s"), v.get("note", "")]
        for name, v in latency.items()
    ]
    failures = [e for e in report["scenarios"] if not e["passed"]]
    judge = report.get("judge") or {}
    classifier = report.get("classifier") or {}
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>payinvest eval report</title>
<style>{_STYLE}</style></head><body>
<h1>payinvest evaluation report</h1>
<p class="v">gate: {verdict or "not run"}</p>
{_worst(report)}
<h2>Release manifest</h2>{_table(["field", "value"], _manifest_rows(report))}
<h2>Gate (floor = gated minimum or maximum; standard = what an analyst needs)</h2>
{_table(["metric", "value", "95% CI", "floor", "standard", "to standard", "gated", "status"], gate_rows)}
<img alt="metric bars" src="{metric_bars(rows)}">
{_baseline(report)}
<h2>Segments</h2>
{f'<img alt="segment heat map" src="{segment_heatmap(segments, tuple(shown))}">' if segments and shown else ""}
{_segment_tables(segments, shown)}
<h2>Latency</h2>{_table(["what", "n", "median s", "95% CI", "p90 s", "note"], latency_rows)}
{f'<img alt="latency histogram" src="{latency_histogram(turn_values, findings_values)}">' if turn_values else ""}
<p>Case type decided by: {html.escape(json.dumps(report.get("case_type_sources") or {}))}</p>
<h2>Classifier</h2><pre>{html.escape(json.dumps(classifier, indent=1, default=str)[:6000])}</pre>
<p>Judge: {html.escape(json.dumps(judge, default=str))}</p>
<h2>Failures ({len(failures)} of {len(report["scenarios"])})</h2>
{"".join(_failure(e) for e in failures) or "<p>none</p>"}
</body></html>"""
