"""``payinvest ask``, ``submit`` and ``approve``: agent turns and four-eyes decisions from the command line."""

from __future__ import annotations

import asyncio
import json
from typing import Any, NoReturn

import typer

ASK_HELP = "One agent turn: answer, tool calls with arguments, citations, evidence and pending proposals."


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _principal(username: str) -> Any:
    """The user as an agent Principal (role and approval limit from the users store)."""
    from core.identity import Principal
    from core.schema import open_app_db
    from core.settings import get_settings
    from core.users import UserError, UserStore

    try:
        return Principal.from_user(UserStore(open_app_db(get_settings().app_db_url)).get(username))
    except UserError as exc:
        _fail(
            f"unknown user {username!r} ({exc}); create it with `payinvest users create` or `payinvest users seed-demo`"
        )


def _logged_in(as_user: str | None) -> Any:
    """The Principal of the command-line login; ``--as`` must name that same logged-in user."""
    from agent.approvals import Principal
    from core.cli_session import NotLoggedIn, logged_in_session, session_store
    from core.schema import open_app_db
    from core.settings import get_settings

    settings = get_settings()
    try:
        session = logged_in_session(
            settings.resolved_data_dir, session_store(open_app_db(settings.app_db_url)), as_user
        )
    except NotLoggedIn as exc:
        _fail(f"{exc.code}: {exc.message}")
    return Principal.from_user(session.user)


def _run(coro_factory: Any) -> Any:
    """Run one service call with a fresh service; typed errors become one line and exit code 2."""
    from agent.errors import AgentError
    from agent.service import AgentService
    from core.audit_anchor import open_audit_log
    from core.settings import get_settings

    async def main() -> Any:
        settings = get_settings()
        audit = open_audit_log(settings)
        service = AgentService(settings, audit=audit)
        try:
            return await coro_factory(service)
        finally:
            await service.aclose()

    try:
        return asyncio.run(main())
    except AgentError as exc:
        _fail(f"{exc.code}: {exc.message}")
    except (ValueError, LookupError) as exc:
        _fail(str(exc))


def _print_turn(result: Any) -> None:
    from rich.console import Console

    console = Console()
    console.print(
        f"[bold]thread[/] {result.thread_id}  turn {result.turn}  case {result.case_type}  "
        f"({result.classification.get('source', '?')})  status {result.status}"
    )
    for call in result.tool_calls:
        mark = "ok" if call.ok else "ERROR"
        console.print(
            f"  [{call.id}] {call.name}({json.dumps(call.args)}) {mark}: {call.summary}",
            markup=False,
            highlight=False,
        )
    for section in result.retrieved:
        console.print(f"  [{section.citation}] v{section.version} {section.title or ''}", markup=False)
    console.print()
    for finding in result.findings:
        sources = " ".join(f"[{e}]" for e in [*finding["evidence_ids"], *finding["citations"]])
        console.print(f"  {finding['id']} {finding['text']} {sources}", markup=False, highlight=False)
    if result.case_type_choices:
        console.print(
            f"case type unclear: ask again with --case-type one of {', '.join(result.case_type_choices)}"
        )
    console.print()
    console.print(result.answer, markup=False, highlight=False)
    console.print()
    console.print(
        f"citations: {', '.join(result.citations) or 'none'} (removed: {result.invalid_citations}); "
        f"unsupported sentences removed: {result.unsupported_claims}"
    )
    for p in result.proposals:
        console.print(
            f"proposal {p['id']} [{p['status']}] {p['kind']} {p['reason_code']} {json.dumps(p['args'])} "
            f"{p.get('message_type') or ''} evidence {','.join(p['evidence_ids'])}",
            markup=False,
        )
    for b in result.blocked:
        console.print(f"blocked: {b['reason']}", markup=False)
    for e in result.executions:
        console.print(
            f"execution {e['proposal_id']}: {e['status']} {json.dumps(e.get('result'))}", markup=False
        )


def ask(
    message: str = typer.Argument(..., help="The analyst's question."),
    thread: str = typer.Option(None, "--thread", help="Continue this conversation (thread id)."),
    user: str = typer.Option("analyst1", "--user", help="Username of the asking analyst."),
    as_json: bool = typer.Option(False, "--json", help="Print the TurnResult as JSON (docs/agent.md)."),
    case_type: str = typer.Option(
        None,
        "--case-type",
        help="The case type, when the agent asked you to pick one (stored as a labelled example).",
    ),
) -> None:
    """One agent turn: answer, tool calls with arguments, citations, evidence and pending proposals."""
    principal = _principal(user)
    if principal.role not in ("analyst", "supervisor", "admin"):
        _fail(f"{user} ({principal.role}) cannot ask the agent")
    result = _run(lambda s: s.ask(message, thread_id=thread, user=user, case_type=case_type))
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        _print_turn(result)


def submit(
    thread: str = typer.Argument(..., help="Thread id whose proposals to submit."),
    as_user: str = typer.Option(
        None, "--as", help="Must be the logged-in user (default: the current `payinvest login`)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the submitted proposals as JSON."),
) -> None:
    """Submit a thread's proposals for four-eyes approval, as the logged-in analyst."""
    principal = _logged_in(as_user)
    rows = _run(lambda s: s.submit(thread, user=principal.username))
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
    else:
        for row in rows:
            typer.echo(f"submitted {row['id']} {row['kind']} {row['reason_code']} {json.dumps(row['args'])}")


def approve(
    thread: str = typer.Argument(..., help="Thread id."),
    proposal: str = typer.Argument(..., help="Proposal id (PR-...)."),
    as_user: str = typer.Option(
        None, "--as", help="Must be the logged-in user (default: the current `payinvest login`)."
    ),
    edit: str = typer.Option(
        None, "--edit", help="JSON object of edited arguments (needs a fresh approval)."
    ),
    reject: str = typer.Option(None, "--reject", help="Reject with this reason."),
    as_json: bool = typer.Option(False, "--json", help="Print the TurnResult as JSON."),
) -> None:
    """Approve a proposal (or edit it, or reject it with a reason) as the logged-in supervisor or admin."""
    if edit and reject:
        _fail("use either --edit or --reject, not both")
    decision: dict[str, Any] = {"proposal_id": proposal, "action": "approve"}
    if edit:
        try:
            args = json.loads(edit)
        except json.JSONDecodeError as exc:
            _fail(f"--edit is not valid JSON: {exc.msg}")
        if not isinstance(args, dict):
            _fail("--edit must be a JSON object")
        decision = {"proposal_id": proposal, "action": "edit", "args": args}
    elif reject:
        decision = {"proposal_id": proposal, "action": "reject", "reason": reject}
    principal = _logged_in(as_user)
    from agent.approvals import check_role
    from agent.errors import NotAuthorised

    try:  # before any data is opened: the role alone decides this
        check_role(principal)
    except NotAuthorised as exc:
        _fail(f"{exc.code}: {exc.message}")
    result = _run(lambda s: s.decide(thread, [decision], principal))
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        _print_turn(result)


def register(app: typer.Typer) -> None:
    """Add ``ask``, ``submit`` and ``approve`` to the command line (``model`` is registered by agent.llm.cli)."""
    app.command("ask", help=ASK_HELP)(ask)
    app.command("submit")(submit)
    app.command("approve")(approve)
