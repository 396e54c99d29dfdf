"""Commands of the web area: ``serve``, ``audit verify|export`` and ``users``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import typer

audit_app = typer.Typer(
    help="Compliance tooling: verify the audit chain, export evidence packs.", no_args_is_help=True
)
users_app = typer.Typer(
    help="Users and roles (list, create, disable, enable, seed-demo).", no_args_is_help=True
)


def _fail(message: str, code: int = 2) -> NoReturn:
    """One-line error on stderr and a non-zero exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _engine():  # type: ignore[no-untyped-def]
    from core.db import get_engine
    from core.settings import get_settings

    return get_engine(get_settings().app_db_url)


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
    as_user: str = typer.Option(
        None, "--as", help="Must be the logged-in user, whose role decides masking (default: current login)."
    ),
    unmask: bool = typer.Option(False, "--unmask", help="Unmasked personal data (compliance/admin only)."),
) -> None:
    """Write the evidence pack of one conversation (events.jsonl, manifest.json, transcript.md)."""
    from app.evidence import ExportRefused, build_evidence_pack
    from core.audit import AuditLog
    from core.cli_session import NotLoggedIn, current_username, logged_in_session, session_store
    from core.settings import get_settings
    from core.users import User

    engine = _engine()
    data_dir = get_settings().resolved_data_dir
    viewer = User("cli", "cli")  # nobody logged in: a masked pack only
    if as_user or unmask or current_username(data_dir):
        try:
            viewer = logged_in_session(data_dir, session_store(engine), as_user).user
        except NotLoggedIn as exc:
            _fail(f"{exc.message} (--unmask needs a login with the compliance or admin role)")
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


def login(
    username: str = typer.Argument(..., help="Your username."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Log in: later commands (approve, submit) act as this user until `payinvest logout` or 8 h pass."""
    from core.audit import AuditLog
    from core.cli_session import save_login, session_store
    from core.settings import get_settings
    from core.users import AccountLocked, InvalidCredentials, UserStore

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    )
    engine = _engine()
    audit = AuditLog(engine)
    try:
        user = UserStore(engine).authenticate(username, password)
    except (InvalidCredentials, AccountLocked) as exc:
        audit.append("login_failed", actor=username, payload={"reason": exc.code, "channel": "cli"})
        _fail(exc.message, code=1)
    save_login(get_settings().resolved_data_dir, session_store(engine), user)
    audit.append("login", actor=user.username, payload={"role": user.role, "channel": "cli"})
    typer.echo(f"logged in as {user.username} ({user.role})")


def logout(
    username: str = typer.Argument(None, help="User to log out (default: the current login)."),
) -> None:
    """End the command-line session."""
    from core.audit import AuditLog
    from core.cli_session import logout as end_session
    from core.cli_session import session_store
    from core.settings import get_settings

    engine = _engine()
    name = end_session(get_settings().resolved_data_dir, session_store(engine), username)
    if name is None:
        _fail("not logged in")
    AuditLog(engine).append("logout", actor=name, payload={"channel": "cli"})
    typer.echo(f"logged out {name}")


def whoami() -> None:
    """Print the logged-in user (exit 1 when nobody is)."""
    from core.cli_session import NotLoggedIn, logged_in_session, session_store
    from core.settings import get_settings

    try:
        session = logged_in_session(get_settings().resolved_data_dir, session_store(_engine()))
    except NotLoggedIn as exc:
        _fail(exc.message, code=1)
    typer.echo(f"{session.user.username} ({session.user.role})")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``payinvest`` command line."""
    app.command("serve")(serve)
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
