"""An app with a scripted agent service, demo users and logged-in clients per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.server import create_app
from core.settings import Settings
from core.tracing import configure_tracing
from tests.app.fakes import FakeAgentService, FakeRetriever, fast_hasher

ROLES_USERS = {
    "analyst": "analyst1",
    "supervisor": "supervisor1",
    "compliance": "compliance1",
    "admin": "admin1",
}


def login(client: TestClient, username: str, password: str = "payinvest-demo") -> TestClient:
    """Log a client in and make it echo the CSRF token on writes."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    """Spans of the module's tests, kept in memory (the tracer provider is configured once per module)."""
    spans = InMemorySpanExporter()
    configure_tracing(span_exporter=spans)
    return spans


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One app per test module (argon2 hashing makes seeding users the slow part)."""
    data = Path(tmp_path_factory.mktemp("app")) / "data"
    settings = Settings(data_dir=data)
    app = create_app(
        settings, agent_service=None, retriever=FakeRetriever(), mount_sandbox=False, start_agent=False
    )
    service = FakeAgentService(audit=app.state.audit, conversations=app.state.conversations)
    app.state.agent_service = service
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    clients: dict[str, TestClient] = {}
    with TestClient(app) as first:
        for username in ("analyst1", "analyst2", "supervisor1", "supervisor2", "compliance1", "admin1"):
            clients[username] = login(TestClient(app), username)
        yield {"app": app, "service": service, "clients": clients, "anon": first, "settings": settings}
    for c in clients.values():
        c.close()
