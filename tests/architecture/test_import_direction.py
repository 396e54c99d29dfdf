"""Dependencies point one way (docs/architecture.md): the checker passes on the tree and catches a wrong import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.import_rules import ALLOWED, PROJECT_PACKAGES, check_tree
from tests.conftest import PROJECT_ROOT


def test_every_module_imports_only_what_its_layer_may() -> None:
    violations = check_tree(PROJECT_ROOT)
    assert not violations, "\n".join(map(str, violations))


def test_nothing_outside_app_imports_app() -> None:
    assert all("app" not in allowed for package, allowed in ALLOWED.items() if package != "app")
    assert set(ALLOWED) == set(PROJECT_PACKAGES)


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A copy of the project's packages to plant wrong imports in."""
    for package in PROJECT_PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("tools/registry.py", "from app.server import create_app"),
        ("retrieval/search.py", "from app import server"),
        ("agent/service.py", "import app.routes.deps"),
        ("core/settings.py", "from app.errors import ApiError"),
        ("tools/http_base.py", "from sandbox.api import create_app"),
        ("sandbox/api.py", "from tools.registry import PaymentSystems"),
        ("core/db.py", "from tools import errors"),
        ("agent/ports.py", "from sandbox import generator"),
        ("agent/nodes/plan.py", "from ..service import x\nfrom ...evals import gate"),
    ],
)
def test_a_planted_wrong_import_fails_the_check(tree_copy: Path, module: str, line: str) -> None:
    path = tree_copy / module
    path.write_text(path.read_text() + f"\n{line}\n")
    violations = check_tree(tree_copy)
    assert {v.path for v in violations} == {module}, violations


def test_allowed_imports_of_the_contract_pass(tree_copy: Path) -> None:
    path = tree_copy / "sandbox" / "api.py"
    path.write_text(path.read_text() + "\nfrom tools.models import Payment\nfrom tools import errors\n")
    assert check_tree(tree_copy) == []
