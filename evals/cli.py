"""``payinvest eval``: the evaluation suite, the release gate and champion–challenger comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

eval_app = typer.Typer(
    help="Evaluation suite and release gate (Ragas + project metrics).", invoke_without_command=True
)

DATASET_HELP = "Dataset JSONL in the documented format (default: evals/datasets/scenarios.jsonl)."


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _select(cases: list, only: str | None, limit: int | None) -> list:
    if only:
        wanted = [part.strip() for part in only.split(",") if part.strip()]
        unknown = [w for w in wanted if all(w != c.id and w not in c.tags for c in cases)]
        if unknown:
            _fail(f"--only: no scenario id or tag {', '.join(unknown)}")
        cases = [c for c in cases if c.id in wanted or set(c.tags) & set(wanted)]
    return cases[:limit] if limit is not None else cases


def _load_inputs(
    dataset: Path | None,
    config_path: Path | None,
    thresholds_path: Path | None,
    limit: int | None,
    only: str | None = None,
):
    from evals.config import ConfigError, load_config
    from evals.dataset import DEFAULT_DATASET, DatasetError, load_dataset
    from evals.gate import DEFAULT_THRESHOLDS, ThresholdError, load_thresholds

    dataset = dataset or DEFAULT_DATASET
    try:
        cases = load_dataset(dataset)
        config = load_config(config_path)
        thresholds = load_thresholds(thresholds_path or DEFAULT_THRESHOLDS)
    except (DatasetError, ConfigError, ThresholdError) as exc:
        _fail(str(exc))
    return dataset, _select(cases, only, limit), config, thresholds


def _progress(total: int, quiet: bool) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=quiet,
    )
    task = progress.add_task("scenarios", total=total)

    def on_case(run: Any) -> None:
        mark = "ok" if run.score.values.get("safety") == 1.0 and not run.trajectory.error else "!!"
        if not quiet:
            values = ", ".join(f"{k}={v:.2f}" for k, v in run.score.values.items() if v is not None)
            progress.console.print(f"{mark} {run.case.id} ({run.trajectory.duration_s:.1f}s) {values}")
        progress.advance(task)

    return progress, on_case


def _run_one(
    settings: Any, dataset: Path, cases: list, config: Any, thresholds: Any, judge: bool, quiet: bool
):
    from evals.environment import EvalSetupError
    from evals.suite import evaluate, run_sync, summarise

    progress, on_case = _progress(len(cases), quiet)
    try:
        with progress:
            output, run_settings = run_sync(evaluate(settings, cases, config, judge=judge, on_case=on_case))
    except EvalSetupError as exc:
        _fail(str(exc))
    except Exception as exc:  # index/model/database setup failures: one line, not a trace
        _fail(f"{type(exc).__name__}: {exc}")
    metrics, gate, context = summarise(output, run_settings, thresholds, dataset, cases)
    return output, metrics, gate, context


def _print_gate(gate: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{title}: {'PASS' if gate.passed else 'FAIL'} (thresholds v{gate.thresholds_version})"
    )
    for column in ("metric", "value", "threshold", "gated", "pass/fail"):
        table.add_column(column)
    for row in gate.rows:
        value = "n/a" if row.value is None else f"{row.value:.3f}"
        table.add_row(row.metric, value, f"{row.threshold:.2f}", "yes" if row.gated else "no", row.status)
    Console().print(table)


@eval_app.callback()
def eval_main(
    ctx: typer.Context,
    dataset: Path = typer.Option(None, "--dataset", help=DATASET_HELP),
    gate: bool = typer.Option(False, "--gate", help="Exit 1 when a gated metric falls below its threshold."),
    report: Path = typer.Option(
        None, "--report", help="Write report.json and report.html into this directory."
    ),
    config: Path = typer.Option(
        None, "--config", help="Configuration YAML (default: evals/configs/champion.yaml)."
    ),
    thresholds: Path = typer.Option(
        None, "--thresholds", help="Thresholds YAML (default: evals/thresholds.yaml)."
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="Run only the first N scenarios."),
    only: str = typer.Option(None, "--only", help="Comma-separated scenario ids or tags to run."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Skip the LLM-judged advisory metrics."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (stable contract)."),
) -> None:
    """Run the evaluation suite through the agent; with --gate, block a release on a gated metric."""
    if ctx.invoked_subcommand is not None:
        return
    from core.settings import get_settings
    from evals.report import build_report, write_report

    dataset, cases, cfg, limits = _load_inputs(dataset, config, thresholds, limit, only)
    output, metrics, verdict, context = _run_one(
        get_settings(), dataset, cases, cfg, limits, not no_judge, as_json
    )
    document = build_report(output, metrics=metrics, gate=verdict, context=context)
    if report is not None:
        write_report(document, report)
    if as_json:
        summary = {key: document[key] for key in ("config", "provider", "model", "metrics", "gate", "judge")}
        summary["passed"] = verdict.passed
        summary["report_dir"] = str(report) if report else None
        summary["scenarios"] = [
            {k: s[k] for k in ("id", "case_type", "values", "notes", "error", "duration_s")}
            for s in document["scenarios"]
        ]
        typer.echo(json.dumps(summary, indent=2, default=str))
    else:
        _print_gate(verdict, f"{cfg.name} on {len(cases)} scenarios")
    if gate and not verdict.passed:
        raise typer.Exit(1)


@eval_app.command("compare")
def eval_compare(
    champion: Path = typer.Option(..., "--champion", help="The champion configuration YAML."),
    challenger: Path = typer.Option(..., "--challenger", help="The challenger configuration YAML."),
    dataset: Path = typer.Option(None, "--dataset", help=DATASET_HELP),
    report: Path = typer.Option(
        None, "--report", help="Write compare.json and both reports into this directory."
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="Run only the first N scenarios."),
    only: str = typer.Option(None, "--only", help="Comma-separated scenario ids or tags to run."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Skip the LLM-judged advisory metrics."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON (stable contract)."),
) -> None:
    """Run a champion and a challenger configuration on the same data; report deltas and wins/losses."""
    from core.settings import get_settings
    from evals.compare import compare_outputs
    from evals.report import build_report, write_report

    settings = get_settings()
    dataset, cases, champ_cfg, limits = _load_inputs(dataset, champion, None, limit, only)
    _, _, chall_cfg, _ = _load_inputs(dataset, challenger, None, limit, only)
    results = []
    for cfg in (champ_cfg, chall_cfg):
        output, metrics, verdict, context = _run_one(
            settings, dataset, cases, cfg, limits, not no_judge, as_json
        )
        results.append((output, metrics, verdict, context))
        if report is not None:
            write_report(
                build_report(output, metrics=metrics, gate=verdict, context=context), report / cfg.name
            )
    document = compare_outputs(results[0][0], results[1][0], results[0][1], results[1][1])
    document["champion"]["gate_passed"] = results[0][2].passed
    document["challenger"]["gate_passed"] = results[1][2].passed
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        (report / "compare.json").write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    _print_compare(document)


def _print_compare(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    champ, chall = document["champion"]["name"], document["challenger"]["name"]
    table = Table(
        title=f"{chall} vs {champ}: {document['challenger_wins']} wins, {document['challenger_losses']} losses"
    )
    for column in ("metric", champ, chall, "delta"):
        table.add_column(column)
    for row in document["deltas"]:
        cells = [
            "n/a" if row[k] is None else f"{row[k]:+.3f}" if k == "delta" else f"{row[k]:.3f}"
            for k in ("champion", "challenger", "delta")
        ]
        table.add_row(row["metric"], *cells)
    Console().print(table)


@eval_app.command("validate")
def eval_validate(
    dataset: Path = typer.Argument(None, help=DATASET_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the case counts as JSON."),
) -> None:
    """Check a dataset file against the format without running anything."""
    from evals.dataset import DEFAULT_DATASET, DatasetError, load_dataset

    path = dataset or DEFAULT_DATASET
    try:
        cases = load_dataset(path)
    except DatasetError as exc:
        _fail(str(exc))
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.case_type.value] = counts.get(case.case_type.value, 0) + 1
    summary = {
        "path": str(path),
        "cases": len(cases),
        "multi_turn": sum(c.multi_turn for c in cases),
        "case_types": counts,
    }
    typer.echo(json.dumps(summary, indent=2) if as_json else f"{path}: {len(cases)} scenarios, valid")


def register(app: typer.Typer) -> None:
    """Add ``payinvest eval`` to the command line."""
    app.add_typer(eval_app, name="eval")
