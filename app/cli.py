"""The ``payinvest`` command line: one entry point for people and CI.

Each area of the project registers its own commands (``register(app)``) so that the heavy libraries are
imported only by the commands that need them.
"""

from __future__ import annotations

import importlib
import os

import typer

# Offline by construction: nothing may reach a model hub or an analytics host at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(
    name="payinvest",
    help="Agentic assistant for bank payment investigations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that contribute commands, in the order they appear in --help.
COMMAND_MODULES = (
    "tools.sandbox.cli",  # seed, scenarios, sandbox serve
    "retrieval.cli",  # index build, search
    "agent.cli",  # ask, submit, approve
    "agent.llm.cli",  # model install|status|try
    "app.server_cli",  # serve, audit, users
    "evals.cli",  # eval
    "bench.cli",  # bench retrieval|api|agent
)


@app.callback()
def _root(
    log_level: str = typer.Option(None, "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Configure logging for every command."""
    from app.logging import configure_logging
    from app.settings import get_settings

    settings = get_settings()
    configure_logging(log_level or settings.log_level, log_json or settings.log_json)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
