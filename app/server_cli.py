"""Commands of the web area: ``serve`` and ``audit verify|chain|export`` (users and logins: ``app.users_cli``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer

audit_app = typer.Typer(
    help="Compliance tooling: verify the audit chain, export evidence packs.", no_args_is_help=True
)


def _fail(message: str, code: int = 2) -> NoReturn:
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
    typer.echo("load balancer: GET /api/health/ready (200 ready, 503 not), GET /api/health/live")
    # log_config=None: uvicorn's lines go through the project's structlog pipeline (JSON with --log-json);
    # the app logs one access line per request itself, with request id, user and route template.
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@audit_app.command("verify")
def audit_verify(
    json_out: bool = typer.Option(False, "--json", help="Print the VerifyResult as JSON."),
    anchor: Path = typer.Option(
        None, "--anchor", help="Signed checkpoint file (e.g. a copy of <data_dir>/audit-anchor.json)."
    ),
) -> None:
    """Walk the whole hash chain; exit 1 and print the first broken link when it was tampered with.

    With ``--anchor`` the chain must also still contain the checkpointed event with its hash: a chain
    rewritten (and its head row updated) or shortened since the checkpoint is detected."""
    from core.audit import AuditLog
    from core.audit_anchor import AnchorError, AnchorWriter, verify_with_anchor
    from core.settings import get_settings

    log = AuditLog(_engine())
    if anchor is None:
        result = log.verify()
    else:
        try:
            checkpoint = AnchorWriter.from_settings(get_settings()).read(anchor)
        except AnchorError as exc:
            _fail(exc.message, code=1)
        result = verify_with_anchor(log, checkpoint)
    if json_out:
        typer.echo(json.dumps(result.to_dict()))
    elif result.ok:
        typer.echo(f"audit chain intact: {result.checked} events, head {result.head_hash[:16]}…")
    else:
        typer.echo(f"audit chain BROKEN at seq {result.first_broken_seq}: {result.reason}")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("chain")
def audit_chain(
    out: Path = typer.Option(..., "--out", help="JSON file to write."),
    as_user: str = typer.Option(None, "--as", help="Must be the logged-in user (default: current login)."),
) -> None:
    """Write the whole hash chain (every event, its canonicalisation, the head) for another tool to re-verify
    (docs/audit.md has a standalone verifier). Payloads are unmasked: a compliance or admin login is needed."""
    from core.audit import AuditLog, chain_export
    from core.cli_session import NotLoggedIn, logged_in_session, session_store
    from core.settings import get_settings

    engine = _engine()
    try:
        viewer = logged_in_session(get_settings().resolved_data_dir, session_store(engine), as_user).user
    except NotLoggedIn as exc:
        _fail(f"{exc.message} (the chain export needs a login with the compliance or admin role)")
    if viewer.role not in ("compliance", "admin"):
        _fail(f"{viewer.username} ({viewer.role}) may not export the audit chain: compliance or admin only")
    log = AuditLog(engine)
    chain = chain_export(log)
    log.append(
        "audit_read", actor=viewer.username, payload={"what": "chain_export", "events": len(chain["events"])}
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(chain, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    head = chain["head"]
    typer.echo(
        f"wrote {out}: {len(chain['events'])} events, head seq {head['seq']} {str(head['hash'])[:16]}…"
    )


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


def register(app: typer.Typer) -> None:
    """Add this area's commands to the ``payinvest`` command line."""
    app.command("serve")(serve)
    app.add_typer(audit_app, name="audit")
    from app import users_cli

    users_cli.register(app)
