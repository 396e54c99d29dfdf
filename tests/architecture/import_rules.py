"""The dependency rule of docs/architecture.md as data, and an AST checker that applies it to a source tree."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PROJECT_PACKAGES = ("core", "tools", "sandbox", "retrieval", "prompts", "agent", "evals", "bench", "app")

# package -> the project packages (or "package.module" prefixes) its modules may import besides itself.
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": (),
    "tools": ("core",),
    "sandbox": (
        "core",
        "tools.models",
        "tools.errors",
        "tools.action_codes",
    ),  # the contract, never the clients
    "prompts": (),
    "retrieval": ("core", "tools"),
    "agent": ("core", "tools", "retrieval", "prompts"),
    "evals": ("core", "tools", "sandbox", "retrieval", "prompts", "agent"),
    # bench.web_server builds the web app it loads (its only door into app)
    "bench": ("core", "tools", "sandbox", "retrieval", "prompts", "agent", "evals", "app.server"),
    "app": ("core", "tools", "sandbox", "retrieval", "prompts", "agent", "evals"),
}


@dataclass(frozen=True)
class Violation:
    """One import that points the wrong way."""

    path: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.imported}"


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every module an ``import``/``from ... import`` names (relative imports resolved against ``module``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # ``from tools import registry`` imports tools.registry: check the submodule too.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def _allowed(package: str, imported: str) -> bool:
    top = imported.split(".")[0]
    if top not in PROJECT_PACKAGES or top == package:
        return True
    for rule in ALLOWED[package]:
        if imported == rule or imported.startswith(rule + "."):
            return True
        # ``from tools import models`` first names the bare package: fine when some submodule is allowed.
        if "." in rule and imported == rule.split(".")[0]:
            return True
    return False


def check_tree(root: Path) -> list[Violation]:
    """Apply the rule to every module of every project package under ``root``."""
    violations: list[Violation] = []
    for package in PROJECT_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root)
            module = ".".join(rel.with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
            for line, imported in _imports(tree, module):
                if not _allowed(package, imported):
                    violations.append(Violation(str(rel), line, imported))
    return violations
