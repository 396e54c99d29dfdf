"""``payinvest eval``: the evaluation suite, the release gate and champion–challenger comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

eval_app = typer.Typer(
    help="Evaluation suite and release gate (Ragas + project metrics).", invoke_without_command=True
)

DATASET_HELP = (
    "Dataset JSONL in the documented format; repeat to run several files together "
    "(default: evals/datasets/scenarios.jsonl)."
)


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


def _load_cases(paths: list[Path]) -> list:
    from evals.dataset import DatasetError, load_dataset

    cases: list = []
    origin: dict[str, Path] = {}
    for path in paths:
        for case in load_dataset(path):
            if case.id in origin:
                raise DatasetError(path, None, f"field 'id': {case.id!r} is also in {origin[case.id].name}")
            origin[case.id] = path
            cases.append(case)
    return cases


def _load_inputs(
    datasets: list[Path] | None,
    config_path: Path | None,
    thresholds_path: Path | None,
    limit: int | None,
    only: str | None = None,
    feedback: bool = False,
):
    from evals.config import ConfigError, load_config
    from evals.dataset import DEFAULT_DATASET, DatasetError
    from evals.gate import DEFAULT_THRESHOLDS, ThresholdError, load_thresholds

    paths = list(datasets or [DEFAULT_DATASET])
    if (
        feedback
    ):  # the cases admins accepted from analysts' feedback (evals/candidates.py), when there are any
        from core.settings import get_settings
        from evals.candidates import feedback_dataset_path

        accepted = feedback_dataset_path(get_settings())
        if accepted.is_file() and accepted.resolve() not in {p.resolve() for p in paths}:
            paths.append(accepted)
    try:
        cases = _load_cases(paths)
        config = load_config(config_path)
        thresholds = load_thresholds(thresholds_path or DEFAULT_THRESHOLDS)
    except (DatasetError, ConfigError, ThresholdError) as exc:
        _fail(str(exc))
    return paths, _select(cases, only, limit), config, thresholds


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
    settings: Any,
    dataset: list[Path],
    cases: list,
    config: Any,
    thresholds: Any,
    judge: bool,
    quiet: bool,
    thresholds_path: Path | None = None,
    lanes: int = 1,
):
    from evals.environment import EvalSetupError
    from evals.suite import evaluate, run_sync, summarise

    progress, on_case = _progress(len(cases), quiet)
    try:
        with progress:
            output, run_settings = run_sync(
                evaluate(settings, cases, config, judge=judge, on_case=on_case, lanes=lanes)
            )
    except EvalSetupError as exc:
        _fail(str(exc))
    except Exception as exc:  # index/model/database setup failures: one line, not a trace
        _fail(f"{type(exc).__name__}: {exc}")
    from evals.gate import DEFAULT_THRESHOLDS

    metrics, gate, context = summarise(
        output, run_settings, thresholds, dataset, cases, thresholds_path or DEFAULT_THRESHOLDS
    )
    return output, metrics, gate, context


def _print_gate(gate: Any, title: str) -> None:
    from rich.table import Table

    from core.console import console

    table = Table(
        title=f"{title}: {'PASS' if gate.passed else 'FAIL'} (thresholds v{gate.thresholds_version})"
    )
    for column in ("metric", "value", "95% CI", "floor", "standard", "to standard", "gated", "pass/fail"):
        table.add_column(column)
    for row in gate.rows:
        value = "n/a" if row.value is None else f"{row.value:.3f}"
        ci = "n/a" if row.ci is None else f"[{row.ci[0]:.3f}, {row.ci[1]:.3f}]"
        bound = f"{'<=' if row.direction == 'lower' else '>='} {row.threshold:.2f}"
        gap = "n/a" if row.to_standard is None else f"{row.to_standard:.3f}"
        standard = "n/a" if row.standard is None else f"{row.standard:.2f}"
        table.add_row(row.metric, value, ci, bound, standard, gap, "yes" if row.gated else "no", row.status)
    console().print(table)
    if gate.regressions:
        console().print(f"significantly worse than the baseline: {', '.join(gate.regressions)}")


@eval_app.callback()
def eval_main(
    ctx: typer.Context,
    dataset: list[Path] = typer.Option(None, "--dataset", help=DATASET_HELP),
    gate: bool = typer.Option(False, "--gate", help="Exit 1 when a gated metric falls below its threshold."),
    baseline: Path = typer.Option(
        None,
        "--baseline",
        help="A champion's report.json: the gate also fails when this run is significantly worse on a gated metric.",
    ),
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
    feedback: bool = typer.Option(
        True,
        "--feedback/--no-feedback",
        help="Also run the cases accepted from analysts' feedback (<data_dir>/evals/feedback.jsonl) when it exists.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (stable contract)."),
    lanes: int = typer.Option(
        1,
        "--lanes",
        min=1,
        max=4,
        help="Agent services running cases at the same time, each on its own sandbox copy (docs/evals.md).",
    ),
) -> None:
    """Run the evaluation suite through the agent; with --gate, block a release on a gated metric."""
    if ctx.invoked_subcommand is not None:
        return
    from core.settings import get_settings
    from evals.report import build_report, write_report

    paths, cases, cfg, limits = _load_inputs(dataset, config, thresholds, limit, only, feedback)
    champion = _read_baseline(baseline) if baseline is not None else None
    output, metrics, verdict, context = _run_one(
        get_settings(), paths, cases, cfg, limits, not no_judge, as_json, thresholds, lanes
    )
    if champion is not None:
        from evals.compare import compare_values, values_from_report, values_of

        names = {"champion": champion.get("config", {}).get("name"), "challenger": cfg.name}
        context["baseline"] = compare_values(values_from_report(champion), values_of(output), names, limits)
        verdict.regressions = context["baseline"]["gated_regressions"]
        verdict.passed = verdict.passed and not verdict.regressions
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


def _read_baseline(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        _fail(f"{path}: cannot read the baseline report ({exc})")
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        _fail(f"{path}: field 'scenarios': not an eval report.json")
    return document


@eval_app.command("compare")
def eval_compare(
    champion: Path = typer.Option(None, "--champion", help="The champion configuration YAML (run here)."),
    champion_report: Path = typer.Option(
        None,
        "--champion-report",
        help="Instead of --champion: a stored champion run (report.json of `payinvest eval`) measured on the "
        "same dataset files, with a result for every selected scenario.",
    ),
    challenger: Path = typer.Option(..., "--challenger", help="The challenger configuration YAML."),
    dataset: list[Path] = typer.Option(None, "--dataset", help=DATASET_HELP),
    report: Path = typer.Option(
        None, "--report", help="Write compare.json and both reports into this directory."
    ),
    thresholds: Path = typer.Option(
        None, "--thresholds", help="Thresholds YAML (default: evals/thresholds.yaml)."
    ),
    gate: bool = typer.Option(
        False,
        "--gate",
        help="Exit 1 when the challenger fails the gate or is significantly worse on a gated metric.",
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="Run only the first N scenarios."),
    only: str = typer.Option(None, "--only", help="Comma-separated scenario ids or tags to run."),
    no_judge: bool = typer.Option(False, "--no-judge", help="Skip the LLM-judged advisory metrics."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON (stable contract)."),
    lanes: int = typer.Option(
        1,
        "--lanes",
        min=1,
        max=4,
        help="Agent services running cases at the same time, each on its own sandbox copy (docs/evals.md).",
    ),
) -> None:
    """Run a champion and a challenger configuration on the same data; report deltas and wins/losses."""
    from core.settings import get_settings
    from evals.compare import compare_outputs
    from evals.report import build_report, write_report

    settings = get_settings()
    if (champion is None) == (champion_report is None):
        _fail("give the champion as --champion (a configuration to run) or --champion-report (a stored run)")
    paths, cases, chall_cfg, limits = _load_inputs(dataset, challenger, thresholds, limit, only)
    stored = None
    if champion_report is not None:
        from evals.compare import stored_run_problem
        from evals.suite import dataset_entries

        stored = _read_baseline(champion_report)
        problem = stored_run_problem(stored, dataset_entries(paths, cases)[1], [c.id for c in cases])
        if problem:
            _fail(f"{champion_report}: {problem}")
        configs = [chall_cfg]
        champ_name = (stored.get("config") or {}).get("name")
    else:
        _, _, champ_cfg, _ = _load_inputs(paths, champion, thresholds, limit, only)
        configs = [champ_cfg, chall_cfg]
        champ_name = champ_cfg.name
    if champ_name == chall_cfg.name:
        _fail(f"{challenger}: field 'name': the challenger needs a name other than the champion's")
    results = []
    for cfg in configs:
        output, metrics, verdict, context = _run_one(
            settings, paths, cases, cfg, limits, not no_judge, as_json, thresholds, lanes
        )
        results.append((output, metrics, verdict, context))
        if report is not None:
            write_report(
                build_report(output, metrics=metrics, gate=verdict, context=context), report / cfg.name
            )
    if stored is not None:
        from evals.compare import compare_with_report

        document = compare_with_report(stored, results[0][0], limits)
        document["champion"]["gate_passed"] = bool((stored.get("gate") or {}).get("passed"))
    else:
        document = compare_outputs(results[0][0], results[1][0], limits)
        document["champion"]["gate_passed"] = results[0][2].passed
    document["challenger"]["gate_passed"] = results[-1][2].passed
    document["gate_passed"] = results[-1][2].passed and not document["gated_regressions"]
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        (report / "compare.json").write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(document, indent=2, default=str))
    else:
        _print_compare(document)
    if gate and not document["gate_passed"]:
        raise typer.Exit(1)


def _print_compare(document: dict[str, Any]) -> None:
    from rich.table import Table

    from core.console import console

    champ, chall = document["champion"]["name"], document["challenger"]["name"]
    table = Table(
        title=(
            f"{chall} vs {champ}: {document['verdict'].upper()} ({document['challenger_wins']} wins, "
            f"{document['challenger_losses']} losses, {document['mixed']} mixed, {document['ties']} ties)"
        )
    )
    for column in ("metric", champ, chall, "delta", "95% CI of delta", "McNemar p", "verdict"):
        table.add_column(column)
    tests = {t["metric"]: t for t in document["tests"]}
    for row in document["deltas"]:
        cells = [
            "n/a" if row[k] is None else f"{row[k]:+.3f}" if k == "delta" else f"{row[k]:.3f}"
            for k in ("champion", "challenger", "delta")
        ]
        test = tests[row["metric"]]
        ci = test["difference_ci"]
        p_value = test["mcnemar"]["p_value"]
        cells += [
            "n/a" if ci is None else f"[{ci[0]:+.3f}, {ci[1]:+.3f}]",
            "n/a" if p_value is None else f"{p_value:.3g}",
            test["verdict"] + (" (gated)" if test["gated"] else ""),
        ]
        table.add_row(row["metric"], *cells)
    console().print(table)
    if document["gated_regressions"]:
        console().print(f"significantly worse on gated metrics: {', '.join(document['gated_regressions'])}")


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
