"""Fixtures of the tools tests: payment systems over the in-process API (ASGI transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from core.approval_tokens import payments_api_token
from core.settings import Settings
from sandbox.api import create_app
from tests.sandbox_api.factories import small_engine
from tools.registry import PaymentSystems


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A seeded SQLite payments database."""
    return small_engine(str(tmp_path / "payments.db"))


@pytest.fixture
def transport(settings: Settings, engine: Engine) -> httpx.ASGITransport:
    """The API served in process."""
    return httpx.ASGITransport(app=create_app(settings, engine=engine))


@pytest.fixture
async def systems(settings: Settings, transport: httpx.ASGITransport) -> AsyncIterator[PaymentSystems]:
    """Every client over the in-process API, holding the app's token."""
    s = PaymentSystems.connect("http://sandbox", token=payments_api_token(settings), transport=transport)
    yield s
    await s.aclose()
