"""Commands of the web area: ``serve``, ``audit verify|export`` and ``users``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

audit_app = typer.Typer(
    help="Compliance tooling: verify the audit chain, export evidence packs.", no_args_is_help=True
)
users_app = typer.Typer(
    help="Users and roles (list, create, disable, enable, seed-demo).", no_args_is_help=True
)


def _fail(message: str, code: int = 2) -> None:
    """One-line error on stderr and a non-zero exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _engine():  # type: ignore[no-untyped-def]
    from core.schema import open_app_db
    from core.settings import get_settings

    return open_app_db(get_settings().app_db_url)


def serve(
    host: str = typer.Option(None, "--host", help="Interface to bind (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=0, max=65535, help="Port (default from settings: 8000)."),
) -> None:
    """Run the web app, the payments API (/payments-api) and the agent; seeds the demo users."""
    import uvicorn

    from app.server import create_app
    from core.settings import get_settings
    from core.users import DEMO_PASSWORD, UserStore

    settings = get_settings()
    host = host or settings.host
    port = settings.port if port is None else port
    users = UserStore(_engine()).ensure_demo_users()
    typer.echo(f"payinvest web app: http://{host}:{port}/")
    typer.echo(f"demo users (password '{DEMO_PASSWORD}', local demo only):")
    for user in users:
        limit = f", limit EUR {user.approval_limit_eur:,.0f}" if user.approval_limit_eur else ""
        typer.echo(f"  {user.username:<12} {user.role}{limit}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@audit_app.command("verify")
def audit_verify(
    json_out: bool = typer.Option(False, "--json", help="Print the VerifyResult as JSON."),
) -> None:
    """Walk the whole hash chain; exit 1 and print the first broken link when it was tampered with."""
    from core.audit import AuditLog

    result = AuditLog(_engine()).verify()
    if json_out:
        typer.echo(json.dumps(result.to_dict()))
    elif result.ok:
        typer.echo(f"audit chain intact: {result.checked} events, head {result.head_hash[:16]}…")
    else:
        typer.echo(f"audit chain BROKEN at seq {result.first_broken_seq}: {result.reason}")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    conversation: str = typer.Option(..., "--conversation", help="Conversation (thread) id."),
    out: Path = typer.Option(..., "--out", help="Zip file to write."),
    as_user: str = typer.Option(None, "--as", help="Export as this user (their role decides masking)."),
    unmask: bool = typer.Option(False, "--unmask", help="Unmasked personal data (compliance/admin only)."),
) -> None:
    """Write the evidence pack of one conversation (events.jsonl, manifest.json, transcript.md)."""
    from app.evidence import ExportRefused, build_evidence_pack
    from core.audit import AuditLog
    from core.users import User, UserNotFound, UserStore

    engine = _engine()
    if as_user:
        try:
            viewer = UserStore(engine).get(as_user)
        except UserNotFound as exc:
            _fail(exc.message)
    else:
        viewer = User("cli", "cli")
    if unmask and not as_user:
        _fail("--unmask needs --as USER with the compliance or admin role")
    if out.suffix != ".zip":
        _fail("--out must name a .zip file")
    try:
        data = build_evidence_pack(AuditLog(engine), conversation, viewer=viewer, unmask=unmask)
    except ExportRefused as exc:
        _fail(exc.message)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data)} bytes, personal data {'unmasked' if unmask else 'masked'})")


@users_app.command("list")
def users_list(json_out: bool = typer.Option(False, "--json", help="Print users as a JSON list.")) -> None:
    """List users with role, approval limit and status."""
    from core.users import UserStore

    users = UserStore(_engine()).list_users()
    if json_out:
        typer.echo(json.dumps([u.to_dict() for u in users]))
        return
    for u in users:
        typer.echo(
            f"{u.username:<16} {u.role:<11} {u.approval_limit_eur or '-'!s:<12} {'active' if u.active else 'disabled'}"
        )


@users_app.command("create")
def users_create(
    username: str = typer.Argument(..., help="3-32 characters: lowercase letters, digits, . _ -"),
    role: str = typer.Option(..., "--role", help="analyst, supervisor, compliance or admin."),
    limit: float = typer.Option(None, "--limit", help="Approval limit in EUR (supervisors)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create a user (password prompted, or read from stdin)."""
    from core.audit import AuditLog
    from core.users import UserError, UserStore

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    )
    engine = _engine()
    try:
        user = UserStore(engine).create(
            username=username, role=role, password=password, approval_limit_eur=limit
        )
    except UserError as exc:
        _fail(exc.message)
    AuditLog(engine).append("user_created", actor="cli", payload=user.to_dict())
    typer.echo(f"created {user.username} ({user.role})")


def _set_active(username: str, active: bool) -> None:
    from core.audit import AuditLog
    from core.users import UserError, UserStore

    engine = _engine()
    try:
        UserStore(engine).set_active(username, active)
    except UserError as exc:
        _fail(exc.message)
    AuditLog(engine).append(
        "user_enabled" if active else "user_disabled", actor="cli", payload={"username": username}
    )
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@users_app.command("disable")
def users_disable(username: str = typer.Argument(..., help="User to disable.")) -> None:
    """Disable a user; their sessions stop working at once."""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: str = typer.Argument(..., help="User to enable.")) -> None:
    """Re-enable a user."""
    _set_active(username, True)


@users_app.command("seed-demo")
def users_seed_demo() -> None:
    """Create the demo users (password 'payinvest-demo'; local demo only)."""
    from core.users import UserStore

    for u in UserStore(_engine()).ensure_demo_users():
        typer.echo(f"{u.username} ({u.role})")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``payinvest`` command line."""
    app.command("serve")(serve)
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
