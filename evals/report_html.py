"""HTML rendering of an eval report, with matplotlib plots inlined as base64 PNG."""

from __future__ import annotations

import base64
import html
import io
import json
from typing import Any


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def metric_bars(metrics: dict[str, float | None], thresholds: dict[str, float]) -> str:
    """Bar chart of the aggregate metrics with threshold markers, as a data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = {n: v for n, v in metrics.items() if v is not None}
    names = list(present)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    bars = ax.barh(names, list(present.values()), color="#4c78a8")
    ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    for i, name in enumerate(names):
        if name in thresholds:
            ax.plot([thresholds[name]] * 2, [i - 0.4, i + 0.4], color="#e45756", linewidth=2)
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    ax.set_title("metrics (red: threshold)")
    uri = _png(fig)
    plt.close(fig)
    return uri


def case_type_plot(by_type: dict[str, dict[str, Any]], metrics: tuple[str, ...]) -> str:
    """Grouped bars of a few metrics per case type, as a data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(by_type)
    fig, ax = plt.subplots(figsize=(10, 3.8))
    width = 0.8 / max(1, len(metrics))
    for j, metric in enumerate(metrics):
        values = [by_type[t].get(metric) or 0.0 for t in types]
        ax.bar([i + j * width for i in range(len(types))], values, width, label=metric)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(types))])
    ax.set_xticklabels(types, rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, ncol=len(metrics))
    ax.set_title("per case type")
    uri = _png(fig)
    plt.close(fig)
    return uri


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else html.escape(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _failure(entry: dict[str, Any]) -> str:
    trajectory = json.dumps(entry["trajectory"], indent=1, default=str)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in entry["notes"] or [entry.get("error") or ""])
    return (
        f"<details><summary><b>{html.escape(entry['id'])}</b> ({html.escape(entry['case_type'])})</summary>"
        f"<ul>{notes}</ul><pre>{html.escape(trajectory)}</pre></details>"
    )


def render_html(report: dict[str, Any]) -> str:
    """The whole report page (self-contained: no external assets)."""
    gate = report.get("gate") or {}
    thresholds = {row["metric"]: row["threshold"] for row in gate.get("rows", [])}
    header_rows: list[list[Any]] = [
        ["configuration", f"{report['config']['name']} ({report['config']['digest']})"],
        ["provider / model", f"{report.get('provider')} / {report.get('model')}"],
        ["prompt versions", ", ".join(f"{k}@{v}" for k, v in report["prompt_versions"].items())],
        ["corpus hash", report.get("corpus_hash")],
        [
            "dataset",
            f"{(report.get('dataset') or {}).get('path')} sha256 {(report.get('dataset') or {}).get('sha256')}",
        ],
        ["git commit", report.get("git_commit")],
        ["thresholds version", report.get("thresholds_version")],
        ["duration", f"{report['seconds']} s ({report.get('seconds_per_analyst_turn')} s per analyst turn)"],
    ]
    verdict = "" if not gate else ("PASSED" if gate["passed"] else "FAILED")
    gate_rows = [
        [r["metric"], r["value"], r["threshold"], r["gated"], r["status"]] for r in gate.get("rows", [])
    ]
    by_type = report["by_case_type"]
    type_metrics = ("tool_call_f1", "context_recall", "fact_recall", "proposal_accuracy")
    type_rows = [[t, v["n"], *[v.get(m) for m in type_metrics]] for t, v in by_type.items()]
    failures = [e for e in report["scenarios"] if not e["passed"]]
    judge = report.get("judge") or {}
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>payinvest eval report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}}pre{{font-size:11px;background:#f6f6f6;
overflow:auto;max-height:400px}}.v{{font-size:20px;font-weight:bold}}</style></head><body>
<h1>payinvest evaluation report</h1>
<p class="v">gate: {verdict or "not run"}</p>
{_table(["field", "value"], header_rows)}
<h2>Gate</h2>{_table(["metric", "value", "threshold", "gated", "status"], gate_rows)}
<p>Judge: {html.escape(json.dumps(judge, default=str))}</p>
<img alt="metric bars" src="{metric_bars(report["metrics"], thresholds)}">
<h2>Per case type</h2>{_table(["case type", "n", *type_metrics], type_rows)}
<img alt="per case type" src="{case_type_plot(by_type, type_metrics) if by_type else ""}">
<h2>Failures ({len(failures)} of {len(report["scenarios"])})</h2>
{"".join(_failure(e) for e in failures) or "<p>none</p>"}
</body></html>"""
