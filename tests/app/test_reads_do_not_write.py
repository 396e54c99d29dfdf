"""Listing and opening conversations are reads: no INSERT, UPDATE or DELETE reaches the database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event


@pytest.fixture
def writes(app_env: dict) -> Iterator[list[str]]:
    """SQL writes the app's engine executes while the test runs."""
    engine = app_env["app"].state.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_listing_and_opening_conversations_writes_nothing(app_env: dict, writes: list[str]) -> None:
    service, c = app_env["service"], app_env["clients"]

    async def cli_turn() -> None:  # a thread started outside the web app, then submitted from the CLI
        async for _ in service.stream("asked from the CLI", thread_id="cli-read-1", user="analyst2"):
            pass
        await service.submit("cli-read-1", user="analyst2")

    asyncio.run(cli_turn())
    writes.clear()
    for user, path in (
        ("analyst2", "/api/conversations"),
        ("analyst2", "/api/conversations/cli-read-1"),
        ("supervisor1", "/api/conversations"),
        ("supervisor1", "/api/conversations/cli-read-1"),
        ("compliance1", "/api/conversations"),
    ):
        response = c[user].get(path)
        assert response.status_code == 200, (user, path, response.text)
    assert "cli-read-1" in {
        x["id"] for x in c["supervisor1"].get("/api/conversations").json()["conversations"]
    }
    assert writes == []


def test_the_fake_service_satisfies_the_protocol_the_routes_use() -> None:
    from agent.ports import AgentServiceProtocol
    from agent.service import AgentService
    from tests.app.fakes import FakeAgentService

    assert isinstance(FakeAgentService(), AgentServiceProtocol)
    names = ("stream", "submit", "decide", "pending_approvals", "conversations", "thread", "aclose")
    assert all(callable(getattr(AgentService, name, None)) for name in names)
    assert all(hasattr(AgentServiceProtocol, name) for name in names)
