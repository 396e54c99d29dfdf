"""The ``payinvest`` command line: one entry point for people and CI.

Each package contributes its commands through the ``payinvest.commands`` entry-point group (see
pyproject.toml): ``core`` knows no other package, and the heavy libraries are imported only by the commands
that need them.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

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

# The order of the commands in --help: the entry points, sorted by these names.
COMMAND_ORDER = ("core", "release", "sandbox", "retrieval", "agent", "model", "app", "evals", "bench")


@app.callback()
def _root(
    log_level: str = typer.Option(None, "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    log_json: bool = typer.Option(False, "--log-json", help="Write logs as JSON lines."),
) -> None:
    """Configure logging for every command."""
    from core.logging import configure_logging
    from core.settings import get_settings

    settings = get_settings()
    configure_logging(log_level or settings.log_level, log_json or settings.log_json)


def _register_commands() -> None:
    found = {ep.name: ep for ep in entry_points(group="payinvest.commands")}
    order = {name: i for i, name in enumerate(COMMAND_ORDER)}
    for name in sorted(found, key=lambda n: (order.get(n, len(order)), n)):
        found[name].load()(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
