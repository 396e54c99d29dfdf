"""Fixtures of the payments API tests: a small seeded database and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from core.settings import Settings
from sandbox.api import create_app
from tests.approvals import api_headers
from tests.sandbox_api.factories import small_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A seeded SQLite payments database in a temporary folder."""
    return small_engine(str(tmp_path / "payments.db"))


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """A test client of the API over the seeded database."""
    with TestClient(create_app(settings, engine=engine), headers=api_headers(settings)) as c:
        yield c
