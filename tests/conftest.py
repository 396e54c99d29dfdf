"""Fixtures shared by every test area. Areas add their own in tests/<area>/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# No test may reach a model hub or an analytics host.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["RAGAS_DO_NOT_TRACK"] = "true"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
# The host names the test clients use (Starlette's TestClient, the tools tests' ASGI base URL).
os.environ.setdefault("PAYINVEST_ALLOWED_HOSTS", '["testserver", "sandbox"]')

from core.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory is a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (the test runner starts the local server)."""
    base = os.environ.get("PAYINVEST_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL not available: run the suite with `make test` (it starts a local server)")
    import uuid

    from sqlalchemy import create_engine, text

    name = f"payinvest_t_{uuid.uuid4().hex[:12]}"
    admin_url = "postgresql+psycopg://" + base.split("://", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
