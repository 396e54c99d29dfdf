"""A turn runs to its end and is saved when the browser goes away mid-stream; a reconnect shows it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import anyio
import httpx

from app.server import create_app
from app.turns import turns_of
from core.settings import Settings
from tests.agent.fakes import ScriptedChatModel, default_script
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK, build_real_service


def _gated_model(gate: threading.Event) -> ScriptedChatModel:
    """The scripted model, whose answer waits until the test has disconnected the client."""
    script = default_script(answer="The payment is at BNPAFRPPXXX with ACSP/G002 [E2].")

    def gated(kind: str, messages: Any) -> Any:
        if kind not in ("CaseClassification", "Plan"):
            gate.wait(30)
        return script(kind, messages)

    return ScriptedChatModel(script=gated)


async def _post_and_disconnect(app: Any, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """POST over raw ASGI and disconnect as soon as the first streamed bytes arrive."""
    first = asyncio.Event()
    received: list[bytes] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": body, "more_body": False}
        await first.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            received.append(message["body"])
            first.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    try:
        await app(scope, receive, send)
    except* anyio.BrokenResourceError:
        pass  # the SSE response's stream torn down under this raw-ASGI disconnect; the turn is not affected
    return b"".join(received)


async def test_a_turn_is_saved_when_the_client_disconnects(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    service, _, _ = build_real_service(settings, app.state.audit, tmp_path)
    gate = threading.Event()
    service.deps._chat_model = _gated_model(gate)
    app.state.agent_service = service
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            login = await client.post(
                "/api/auth/login", json={"username": "analyst1", "password": "payinvest-demo"}
            )
            client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            conv = (await client.post("/api/conversations", json={})).json()["conversation"]["id"]
            headers = {
                "host": "testserver",
                "content-type": "application/json",
                "x-csrf-token": client.headers["X-CSRF-Token"],
                "cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
            }
            body = f'{{"message": "Customer says {UETR_STUCK} never arrived"}}'.encode()
            streamed = await _post_and_disconnect(app, f"/api/conversations/{conv}/messages", body, headers)
            assert streamed and b"event: turn" not in streamed  # the client left before the answer
            assert turns_of(app).running(conv)  # ...and the turn goes on without it
            gate.set()
            await turns_of(app).drain(timeout=60)
            thread = (await client.get(f"/api/conversations/{conv}")).json()["thread"]  # the reconnect
        (turn,) = thread["turns"]
        assert turn["result"]["answer"].startswith("The payment is at BNPAFRPPXXX")
        assert [p["status"] for p in thread["proposals"]] == ["proposed"]
    finally:
        gate.set()
        await service.aclose()
