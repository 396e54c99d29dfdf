"""``payinvest monitor report``: drift of recent production turns against the release's evaluation reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer

monitor_app = typer.Typer(
    help="Drift and online quality against the evaluation reference.", no_args_is_help=True
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@monitor_app.command("report")
def monitor_report(
    since: str = typer.Option("24h", "--since", help="Window start: 30m, 24h, 7d or an ISO 8601 time."),
    reference: Path = typer.Option(
        None, "--reference", help="Eval report.json to compare with (default: the serving release's report)."
    ),
    out: Path = typer.Option(
        None, "--out", help="Directory for monitor.json + monitor.html (default: data/monitor)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report JSON."),
) -> None:
    """PSI per signal (case-type mix, unsupported claims, LLM fallback, latency, ...); exit 1 on an alert."""
    from core.schema import open_app_db
    from core.settings import get_settings
    from evals.monitor import MonitorError, monitor_report, parse_since, write_report

    settings = get_settings()
    try:
        start = parse_since(since)
        report = monitor_report(open_app_db(settings.app_db_url), start, reference)
    except (ValueError, MonitorError) as exc:
        _fail(str(exc))
    json_path, html_path = write_report(report, out or settings.resolved_data_dir / "monitor")
    if json_out:
        typer.echo(json.dumps(report))
    else:
        for name, signal in report["signals"].items():
            value = "n/a" if signal["psi"] is None else f"{signal['psi']:.3f}"
            typer.echo(f"{name:<22} {signal['level']:<13} PSI {value:<7} n={signal['n']}")
        for c in report["shadow"]["challengers"]:
            typer.echo(
                f"shadow {c['release_id']}: {c['turns']} turns, case type agreement {c['case_type_agreement']}, "
                f"proposal agreement {c['proposal_agreement']}, latency p50 {c['champion_latency']['p50_ms']} ms "
                f"champion / {c['challenger_latency']['p50_ms']} ms challenger, {c['errors']} errors"
            )
        typer.echo(f"status {report['status']}: wrote {json_path} and {html_path}")
    if report["alerts"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to the ``payinvest`` command line."""
    app.add_typer(monitor_app, name="monitor")
