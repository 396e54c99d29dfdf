"""Fixtures of the data generator tests: small seeded databases shared by the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from sandbox.generator import seed_database
from sandbox.schema import get_payments_engine

SMALL_N = 300
SEED = 7


def seeded(path: Path, *, payments: int = SMALL_N, seed: int = SEED) -> Engine:
    """A freshly seeded SQLite payments database at ``path``."""
    engine = get_payments_engine(f"sqlite:///{path}")
    seed_database(engine, payments=payments, seed=seed)
    return engine


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder for the session's databases."""
    return tmp_path_factory.mktemp("sandbox_data")


@pytest.fixture(scope="session")
def seeded_engine(data_dir: Path) -> Engine:
    """The reference database: SMALL_N random payments with seed SEED, plus every scenario."""
    return seeded(data_dir / "reference.db")
