"""Commands for identities: ``login``/``logout``/``whoami`` and ``users`` (changes that grant power need two admins)."""

from __future__ import annotations

import json
import sys

import typer

from app.server_cli import _engine, _fail

users_app = typer.Typer(
    help="Users and roles (list, create, set-role, disable, enable, pending, confirm, reject, seed-demo).",
    no_args_is_help=True,
)


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


def _audit():  # type: ignore[no-untyped-def]
    from core.audit_anchor import open_audit_log
    from core.settings import get_settings

    return open_audit_log(get_settings())


def _acting_admin(engine) -> str | None:  # type: ignore[no-untyped-def]
    """The logged-in admin; None only while no active admin exists yet (first-run bootstrap)."""
    from core.cli_session import NotLoggedIn, logged_in_session, session_store
    from core.settings import get_settings
    from core.users import Role, UserStore

    if not any(u.role == Role.ADMIN and u.active for u in UserStore(engine).list_users()):
        return None
    try:
        session = logged_in_session(get_settings().resolved_data_dir, session_store(engine))
    except NotLoggedIn as exc:
        _fail(f"{exc.message} (user changes need an admin login)")
    if session.user.role != Role.ADMIN:
        _fail(f"{session.user.username} ({session.user.role}) may not change users: needs admin")
    return session.user.username


def _changes(engine):  # type: ignore[no-untyped-def]
    from core.user_changes import UserChangeStore
    from core.users import UserStore

    return UserChangeStore(engine, UserStore(engine), _audit())


def _print_change(change: dict) -> None:
    typer.echo(
        f"{change['id']} {change['kind']} {change['target']} {json.dumps(change['changes'])} "
        f"{change['status']} (requested by {change['requested_by']}; a second admin runs "
        f"`payinvest users confirm {change['id']}`)"
    )


@users_app.command("create")
def users_create(
    username: str = typer.Argument(..., help="3-32 characters: lowercase letters, digits, . _ -"),
    role: str = typer.Option(..., "--role", help="analyst, supervisor, compliance or admin."),
    limit: float = typer.Option(None, "--limit", help="Approval limit in EUR (supervisors)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Request a user (logged-in admin; a second admin confirms). With no admin yet, create it at once."""
    from core.users import UserError, UserStore

    engine = _engine()
    admin = _acting_admin(engine)
    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    )
    try:
        if admin is not None:
            _print_change(
                _changes(engine).request_create(
                    admin, username=username, role=role, password=password, approval_limit_eur=limit
                )
            )
            return
        user = UserStore(engine).create(
            username=username, role=role, password=password, approval_limit_eur=limit
        )
    except UserError as exc:
        _fail(exc.message)
    _audit().append("user_created", actor="cli", payload={**user.to_dict(), "bootstrap": True})
    typer.echo(f"created {user.username} ({user.role}) (first-run bootstrap: no admin existed)")


@users_app.command("set-role")
def users_set_role(
    username: str = typer.Argument(..., help="User to change."),
    role: str = typer.Option(..., "--role", help="analyst, supervisor, compliance or admin."),
    limit: float = typer.Option(None, "--limit", help="Approval limit in EUR."),
) -> None:
    """Request a new role / approval limit (logged-in admin; applied when a second admin confirms)."""
    from core.users import UserError

    engine = _engine()
    admin = _acting_admin(engine)
    if admin is None:
        _fail("no admin exists yet: create one with `payinvest users create NAME --role admin`")
    try:
        _print_change(_changes(engine).request_role(admin, username, role=role, approval_limit_eur=limit))
    except UserError as exc:
        _fail(exc.message)


@users_app.command("pending")
def users_pending(json_out: bool = typer.Option(False, "--json", help="Print the changes as JSON.")) -> None:
    """User changes waiting for a second admin."""
    changes = _changes(_engine()).pending()
    if json_out:
        typer.echo(json.dumps(changes))
        return
    for change in changes:
        _print_change(change)


def _decide_change(change_id: str, reason: str | None) -> None:
    from core.users import UserError

    engine = _engine()
    admin = _acting_admin(engine)
    if admin is None:
        _fail("no admin exists yet")
    try:
        store = _changes(engine)
        change = store.reject(change_id, admin, reason) if reason else store.confirm(change_id, admin)
    except UserError as exc:
        _fail(f"{exc.code}: {exc.message}")
    typer.echo(f"{change['id']} {change['status']} by {admin}")


@users_app.command("confirm")
def users_confirm(change_id: str = typer.Argument(..., help="UC-... id from `users pending`.")) -> None:
    """Apply a change another admin requested."""
    _decide_change(change_id, None)


@users_app.command("reject")
def users_reject(
    change_id: str = typer.Argument(..., help="UC-... id."),
    reason: str = typer.Option(..., "--reason", help="Why."),
) -> None:
    """Drop a pending user change."""
    _decide_change(change_id, reason)


def _set_active(username: str, active: bool) -> None:
    from core.users import UserError, UserStore

    engine = _engine()
    admin = _acting_admin(engine)
    try:
        if active and admin is not None:  # giving powers back: four-eyes
            _print_change(_changes(engine).request_enable(admin, username))
            return
        UserStore(engine).set_active(username, active)
    except UserError as exc:
        _fail(exc.message)
    _audit().append(
        "user_enabled" if active else "user_disabled", actor=admin or "cli", payload={"username": username}
    )
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@users_app.command("unlock")
def users_unlock(username: str = typer.Argument(..., help="User whose login locks to lift.")) -> None:
    """Lift every client's login lock on a user (logged-in admin; audited)."""
    from core.login_throttle import LoginThrottle
    from core.users import UserError, UserStore

    engine = _engine()
    admin = _acting_admin(engine)
    try:
        UserStore(engine).get(username)
    except UserError as exc:
        _fail(exc.message)
    cleared = LoginThrottle(engine).unlock(username)
    _audit().append("user_unlocked", actor=admin or "cli", payload={"username": username, "cleared": cleared})
    typer.echo(f"{username} unlocked ({cleared} lock records cleared)")


@users_app.command("disable")
def users_disable(username: str = typer.Argument(..., help="User to disable.")) -> None:
    """Disable a user at once (logged-in admin); their sessions end."""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: str = typer.Argument(..., help="User to enable.")) -> None:
    """Request to re-enable a user (a second admin confirms)."""
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
    from core.cli_session import save_login, session_store
    from core.settings import get_settings
    from core.users import AccountLocked, InvalidCredentials, UserStore

    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    )
    engine = _engine()
    audit = _audit()
    try:
        user = UserStore(engine).authenticate(username, password, client="cli")
    except (InvalidCredentials, AccountLocked) as exc:
        audit.append("login_failed", actor=username, payload={"reason": exc.reason, "channel": "cli"})
        _fail(exc.message, code=1)
    save_login(get_settings().resolved_data_dir, session_store(engine), user)
    audit.append("login", actor=user.username, payload={"role": user.role, "channel": "cli"})
    typer.echo(f"logged in as {user.username} ({user.role})")


def logout(
    username: str = typer.Argument(None, help="User to log out (default: the current login)."),
) -> None:
    """End the command-line session."""
    from core.cli_session import logout as end_session
    from core.cli_session import session_store
    from core.settings import get_settings

    engine = _engine()
    name = end_session(get_settings().resolved_data_dir, session_store(engine), username)
    if name is None:
        _fail("not logged in")
    _audit().append("logout", actor=name, payload={"channel": "cli"})
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
    """Add ``login``, ``logout``, ``whoami`` and ``users`` to the command line."""
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)
    app.add_typer(users_app, name="users")
