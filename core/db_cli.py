"""``payinvest db upgrade|current``: migrate every database the installed packages declare.

Packages declare their databases in the ``payinvest.databases`` entry-point group (see pyproject.toml), so
``core`` migrates the payments database without importing the sandbox.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import typer

from core.migrate import MigratedDatabase

db_app = typer.Typer(
    help="Database schema: upgrade to the newest migration, show revisions.", no_args_is_help=True
)


def declared_databases() -> list[MigratedDatabase]:
    """Every database declared through the ``payinvest.databases`` entry points, app database first."""
    found = [ep.load() for ep in sorted(entry_points(group="payinvest.databases"), key=lambda e: e.name)]
    return sorted(found, key=lambda db: (db.name != "app", db.name))


def _engine(db: MigratedDatabase):  # type: ignore[no-untyped-def]
    from core.db import get_engine
    from core.settings import get_settings

    return get_engine(getattr(get_settings(), db.settings_url), foreign_keys=db.foreign_keys)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Option("head", "--revision", help="Target revision.")) -> None:
    """Apply the pending migrations of every database (idempotent; `serve` and `seed` do it too)."""
    from core.migrate import current_revision, upgrade

    for db in declared_databases():
        engine = _engine(db)
        upgrade(engine, db, revision, force=True)
        typer.echo(f"{db.name}: at {current_revision(engine, db)}")


@db_app.command("current")
def db_current(json_out: bool = typer.Option(False, "--json", help="Print {name: {current, head}}.")) -> None:
    """The revision every database is at, and the newest one."""
    from core.migrate import current_revision, head_revision

    report = {
        db.name: {"current": current_revision(_engine(db), db), "head": head_revision(db)}
        for db in declared_databases()
    }
    if json_out:
        typer.echo(json.dumps(report))
        return
    for name, revs in report.items():
        state = "up to date" if revs["current"] == revs["head"] else "needs `payinvest db upgrade`"
        typer.echo(f"{name}: at {revs['current']} (head {revs['head']}): {state}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
