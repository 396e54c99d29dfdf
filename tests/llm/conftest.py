"""Fixtures for the tests about the real embedded model (skipped until `payinvest model install` has run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.llm.embedded import EmbeddedServer, model_is_verified, model_path, start_embedded_server
from core.settings import Settings, get_settings


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[EmbeddedServer]:
    """The real embedded llama.cpp server, started once for the session from the installed weights."""
    settings: Settings = get_settings()
    if not model_is_verified(model_path(settings)):
        pytest.skip("embedded model not installed: run `payinvest model install` (CI does)")
    server = start_embedded_server(settings)
    yield server
    server.stop()
