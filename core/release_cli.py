"""``payinvest release list|promote|rollback``: choose the serving release (admins, as the logged-in user)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer

release_app = typer.Typer(
    help="Releases: gated manifests, the serving one, promotion and rollback (docs/operations.md).",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _store() -> Any:
    from core.audit import AuditLog
    from core.audit_anchor import AnchorWriter
    from core.releases import ReleaseStore
    from core.schema import open_app_db
    from core.settings import get_settings

    settings = get_settings()
    engine = open_app_db(settings.app_db_url)
    return ReleaseStore(engine, AuditLog(engine, anchor=AnchorWriter.from_settings(settings)))


def _admin(store: Any, as_user: str | None) -> str:
    """The logged-in admin's username (a release change is a production change: admins only)."""
    from core.cli_session import NotLoggedIn, logged_in_session, session_store
    from core.settings import get_settings

    try:
        session = logged_in_session(get_settings().resolved_data_dir, session_store(store.engine), as_user)
    except NotLoggedIn as exc:
        _fail(str(exc))
    if session.user.role != "admin":
        _fail(f"{session.user.username} is a {session.user.role}: only an admin changes the serving release")
    return str(session.user.username)


def _summary(release: Any, serving: str | None) -> dict[str, Any]:
    manifest = release.manifest
    return {
        "id": release.id,
        "serving": release.id == serving,
        "report_id": release.report_id,
        "git_commit": manifest.get("git_commit"),
        "model_sha256": (manifest.get("model_file") or {}).get("sha256"),
        "prompt_versions": manifest.get("prompt_versions"),
        "classifier_version": manifest.get("classifier_version"),
        "corpus_hash": manifest.get("corpus_hash"),
        "thresholds_version": manifest.get("thresholds_version"),
        "config_digest": manifest.get("config_digest"),
        "registered_by": release.registered_by,
        "registered_at": release.registered_at,
    }


@release_app.command("list")
def release_list(json_out: bool = typer.Option(False, "--json", help="Print the releases as JSON.")) -> None:
    """Every registered release, the serving one marked."""
    store = _store()
    serving = store.serving_id()
    rows = [_summary(r, serving) for r in store.releases()]
    if json_out:
        typer.echo(json.dumps({"serving": serving, "releases": rows, "history": store.history()}))
        return
    if not rows:
        typer.echo("no release registered: `payinvest release promote REPORT.json` after a passing gate")
    for row in rows:
        mark = "*" if row["serving"] else " "
        typer.echo(
            f"{mark} {row['id']}  report {row['report_id']}  commit {(row['git_commit'] or '-')[:12]}  "
            f"thresholds {row['thresholds_version']}  by {row['registered_by']} at {row['registered_at']}"
        )


def _change(as_user: str | None, apply: Any) -> Any:
    """Run one audited release change as the logged-in admin; a refusal exits 1 with its message."""
    from core.releases import ReleaseError

    store = _store()
    actor = _admin(store, as_user)
    try:
        return apply(store, actor)
    except ReleaseError as exc:
        _fail(exc.message, code=1)


@release_app.command("promote")
def release_promote(
    report: Path = typer.Argument(..., help="report.json of an eval run with --gate."),
    as_user: str = typer.Option(None, "--as", help="Must be the logged-in admin (default: current login)."),
) -> None:
    """Serve the manifest of a report whose gate passed (refused otherwise); audited."""
    release = _change(as_user, lambda store, actor: store.promote(report, actor=actor))
    typer.echo(f"serving {release.id} (report {release.report_id}); workers pick it up within seconds")


@release_app.command("register")
def release_register(
    report: Path = typer.Argument(..., help="report.json of an eval run with --gate."),
    as_user: str = typer.Option(None, "--as", help="Must be the logged-in admin (default: current login)."),
) -> None:
    """Register a gated report's manifest without serving it (e.g. as PAYINVEST_SHADOW_RELEASE); audited."""
    release = _change(as_user, lambda store, actor: store.register(report, actor=actor))
    typer.echo(f"registered {release.id} (report {release.report_id}); not serving")


@release_app.command("rollback")
def release_rollback(
    as_user: str = typer.Option(None, "--as", help="Must be the logged-in admin (default: current login)."),
) -> None:
    """Serve again the release that served before the current one; audited."""
    release = _change(as_user, lambda store, actor: store.rollback(actor=actor))
    typer.echo(f"rolled back: serving {release.id} (report {release.report_id})")


def register(app: typer.Typer) -> None:
    """Add ``release`` to the ``payinvest`` command line."""
    app.add_typer(release_app, name="release")
