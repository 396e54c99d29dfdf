"""Commands of the payments sandbox: ``seed``, ``scenarios`` and ``sandbox serve``."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import typer

sandbox_app = typer.Typer(
    help="The payments sandbox API (stands in for the bank's systems).", no_args_is_help=True
)


def _fail(message: str) -> NoReturn:
    """One-line error on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def seed(
    payments: int = typer.Option(
        20_000, "--payments", "-n", help="Random payments to generate (scenarios come on top)."
    ),
    seed_value: int = typer.Option(
        None, "--seed", help="Generator seed (default: PAYINVEST_SEED / settings.seed)."
    ),
    db: str = typer.Option(
        None, "--db", help="SQLAlchemy URL (default: sqlite file payments.db in the data dir)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a database that is already seeded."),
    as_json: bool = typer.Option(False, "--json", help="Print the seed report as JSON (docs/data.md)."),
) -> None:
    """Generate the deterministic synthetic payments database plus the named scenarios."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from core.settings import get_settings
    from sandbox.generator import SeedError, seed_database
    from sandbox.schema import get_payments_engine

    settings = get_settings()
    if payments < 0:
        _fail(f"--payments must be >= 0, got {payments}")
    url = db or settings.payments_db_url
    try:
        engine = get_payments_engine(url)
        with engine.connect():
            pass
    except (ArgumentError, SQLAlchemyError, ValueError) as exc:
        _fail(f"cannot open database {url!r}: {str(exc).splitlines()[0]}")
    try:
        report = _run_seed(
            seed_database,
            engine,
            payments,
            seed_value if seed_value is not None else settings.seed,
            force,
            quiet=as_json,
        )
    except SeedError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"database error while seeding: {str(exc).splitlines()[0]}")
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    verb = "already seeded, left alone (use --force to rebuild)" if report.skipped else "seeded"
    typer.echo(
        f"{verb}: {report.database} seed={report.seed} payments={report.payments} "
        f"scenarios={report.scenarios} in {report.elapsed_seconds:.1f}s"
    )
    for table, count in sorted(report.counts.items()):
        typer.echo(f"  {table:<16} {count:>10,}")


def _run_seed(seed_database, engine, payments: int, seed_value: int, force: bool, *, quiet: bool):  # type: ignore[no-untyped-def]
    """Run the seed with a rich progress bar on stderr (none when stdout carries JSON)."""
    if quiet or not sys.stderr.isatty():
        return seed_database(engine, payments=payments, seed=seed_value, force=force)
    from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        return seed_database(engine, payments=payments, seed=seed_value, progress=progress, force=force)


def scenarios(
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as a JSON array (docs/data.md)."),
    case_type: str = typer.Option(None, "--case-type", help="Only scenarios of this case type."),
) -> None:
    """List the named scenarios with their stable references."""
    from core.domain import CaseType
    from sandbox.scenarios import SCENARIOS

    items = list(SCENARIOS)
    if case_type is not None:
        try:
            wanted = CaseType(case_type)
        except ValueError:
            _fail(f"unknown case type {case_type!r}; one of: {', '.join(c.value for c in CaseType)}")
        items = [s for s in items if s.case_type == wanted]
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in items], indent=2))
        return
    from rich.table import Table

    from core.console import console

    table = Table(title=f"{len(items)} scenarios")
    for column in ("id", "case type", "payment", "title"):
        table.add_column(column)
    for s in items:
        table.add_row(s.id, s.case_type.value, s.references["payment_id"], s.title)
    console().print(table)


@sandbox_app.command("serve")
def serve(
    port: int = typer.Option(8100, "--port", help="TCP port (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (loopback by default)."),
) -> None:
    """Run the payments API alone with uvicorn."""
    import uvicorn

    from core.settings import get_settings
    from sandbox.api import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``payinvest`` command line."""
    app.command("seed")(seed)
    app.command("scenarios")(scenarios)
    app.add_typer(sandbox_app, name="sandbox")
