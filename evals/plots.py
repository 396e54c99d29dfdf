"""The report's matplotlib plots (Agg backend), each returned as a base64 PNG data URI."""

from __future__ import annotations

import base64
import io
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def metric_bars(rows: list[dict[str, Any]]) -> str:
    """Rate metrics as bars with their 95% interval, the gated floor (red) and the standard (green)."""
    plt = _pyplot()
    shown = [r for r in rows if r.get("value") is not None and r.get("direction", "higher") == "higher"]
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(4, len(shown)) + 1))
    names = [r["metric"] for r in shown]
    values = [r["value"] for r in shown]
    errors = [
        [max(0.0, r["value"] - r["ci"][0]) if r.get("ci") else 0.0 for r in shown],
        [max(0.0, r["ci"][1] - r["value"]) if r.get("ci") else 0.0 for r in shown],
    ]
    bars = ax.barh(names, values, xerr=errors, color="#4c78a8", ecolor="#333", capsize=3)
    ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=4)
    for i, row in enumerate(shown):
        ax.plot([row["threshold"]] * 2, [i - 0.4, i + 0.4], color="#e45756", linewidth=2)
        if row.get("standard") is not None:
            ax.plot([row["standard"]] * 2, [i - 0.4, i + 0.4], color="#54a24b", linewidth=2, linestyle="--")
    ax.set_xlim(0, 1.1)
    ax.invert_yaxis()
    ax.set_title("metrics with 95% CI (red: gated floor, green dashed: release standard)")
    return _png(fig)


def segment_heatmap(segments: dict[str, dict[str, dict[str, Any]]], metrics: tuple[str, ...]) -> str:
    """Rows = every segment of every axis, columns = rate metrics, colour = value (grey: not applicable)."""
    import numpy as np

    plt = _pyplot()
    labels, matrix = [], []
    for axis, groups in segments.items():
        for segment, values in groups.items():
            labels.append(f"{axis}: {segment} (n={values['n']})")
            matrix.append([np.nan if values.get(m) is None else values[m] for m in metrics])
    data = np.ma.masked_invalid(np.array(matrix, dtype=float))
    fig, ax = plt.subplots(figsize=(1.1 * len(metrics) + 4, 0.28 * len(labels) + 1.5))
    cmap = plt.get_cmap("RdYlGn").copy()
    cmap.set_bad("#dddddd")
    image = ax.imshow(data, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(metrics)), labels=metrics, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels=labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if not np.isnan(value):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, fraction=0.03)
    ax.set_title("metrics by segment")
    return _png(fig)


def latency_histogram(turn_s: list[float], findings_s: list[float]) -> str:
    """Histogram of analyst-turn latency (and time to findings when the agent reports it)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    if turn_s:
        ax.hist(turn_s, bins=min(30, max(5, len(turn_s) // 3)), color="#4c78a8", alpha=0.8, label="turn")
    if findings_s:
        ax.hist(
            findings_s,
            bins=min(30, max(5, len(findings_s) // 3)),
            color="#f58518",
            alpha=0.7,
            label="findings",
        )
    ax.set_xlabel("seconds")
    ax.set_ylabel("analyst turns")
    ax.legend(fontsize=8)
    ax.set_title("latency per analyst turn")
    return _png(fig)
