"""The Dockerfile and the compose file call only commands, options, scripts and settings that exist.

No container engine runs on the build machines, so the image is never built here; this keeps the files honest.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from core.cli import app as cli_app
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"


def _dockerfile_commands() -> list[str]:
    """Shell commands of RUN and CMD instructions (continuation lines joined)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    commands: list[str] = []
    for line in text.splitlines():
        if line.startswith("RUN "):
            commands += [c.strip() for c in line[4:].split("&&")]
        elif line.startswith("CMD "):
            commands.append(" ".join(yaml.safe_load(line[4:])))
    return commands


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _compose_commands() -> list[str]:
    commands: list[str] = []
    for service in _compose()["services"].values():
        cmd = service.get("command")
        if not cmd:
            continue
        line = cmd[-1] if cmd[:2] == ["sh", "-c"] else " ".join(cmd)
        commands += [c.strip() for c in line.split("&&")]
    return commands


def _payinvest_invocations(commands: list[str]) -> list[list[str]]:
    """The arguments of every command whose program is ``payinvest`` (on PATH or in the venv)."""
    found = []
    for command in commands:
        words = shlex.split(command)
        if words and Path(words[0]).name == "payinvest":
            found.append(words[1:])
    return found


def _resolve(argv: list[str]) -> tuple[Any, list[str]]:
    """The command an argv names (typer ships its own click), and the options it passes."""
    command: Any = typer.main.get_command(cli_app)
    rest = list(argv)
    while getattr(command, "commands", None) and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        assert sub is not None, f"payinvest has no command {rest[0]!r} (in {' '.join(argv)!r})"
        command, rest = sub, rest[1:]
    return command, [w for w in rest if w.startswith("--")]


def test_files_exist_and_parse() -> None:
    assert DOCKERFILE.is_file() and COMPOSE.is_file()
    assert {"db", "chroma", "worker1", "worker2"} <= set(_compose()["services"])


@pytest.mark.parametrize("source", ["dockerfile", "compose"])
def test_payinvest_commands_and_options_exist(source: str) -> None:
    commands = _dockerfile_commands() if source == "dockerfile" else _compose_commands()
    invocations = _payinvest_invocations(commands)
    assert invocations, f"no payinvest command found in the {source}"
    for argv in invocations:
        command, options = _resolve(argv)
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for option in options:
            assert option in known, f"{' '.join(argv)!r}: {option} is not an option of {command.name}"


def test_scripts_called_exist() -> None:
    for command in _dockerfile_commands():
        for word in shlex.split(command):
            if word.startswith("./scripts/"):
                assert (ROOT / word).is_file(), f"{word} does not exist"


def test_settings_named_are_real_settings() -> None:
    fields = set(Settings.model_fields)
    names = set(re.findall(r"PAYINVEST_([A-Z_]+)=", DOCKERFILE.read_text()))
    for service in _compose()["services"].values():
        env = service.get("environment") or {}
        names |= {k.removeprefix("PAYINVEST_") for k in env if k.startswith("PAYINVEST_")}
    assert names, "no settings found"
    unknown = sorted(n for n in names if n.lower() not in fields)
    assert not unknown, f"not settings fields: {unknown}"


def test_resolver_rejects_a_made_up_command() -> None:
    with pytest.raises(AssertionError):
        _resolve(["serve-everything"])
    command, _ = _resolve(["serve", "--workers", "4"])
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert "--workers" not in known
