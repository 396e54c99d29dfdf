"""A live server (uvicorn in a thread, 127.0.0.1, free port) with the real AgentService on a scripted model."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.server import create_app
from core.settings import Settings
from tests.app.fakes import fast_hasher
from tests.app.real_agent import build_real_service
from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


class TurnGate:
    """Holds a turn at its tracker read while closed, so a test sees it running (no sleeps, no timing)."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.waiting = threading.Event()  # a read is held at the gate

    def close(self) -> None:
        self.waiting.clear()
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def pass_through(self, tool: str) -> None:
        if tool == "get_tracker" and not self._open.is_set():
            self.waiting.set()
            await asyncio.to_thread(self._open.wait, 120)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Start the app; stop it when the module's tests are done."""
    import uvicorn

    tmp = Path(tmp_path_factory.mktemp("browser"))
    settings = Settings(data_dir=tmp / "data")
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    service, port, retriever = build_real_service(settings, app.state.audit, tmp)

    async def case_reader(name: str, args: dict) -> dict:
        if name == "get_sla":  # the fake port has no calendar: a fixed clock stands in for the sandbox's
            return {
                "case_type": args["case_type"],
                "due": [
                    {"name": "answer_due", "business_days": 10, "due_date": "2099-01-15", "rule": "test"}
                ],
            }
        return await port.read(name, args)

    gate = TurnGate()
    gated_read = port.read

    async def read(name: str, args: dict) -> dict:
        await gate.pass_through(name)
        return await gated_read(name, args)

    port.read = read  # type: ignore[method-assign]
    app.state.agent_service, app.state.retriever, app.state.case_reader = service, retriever, case_reader
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    yield {"url": f"http://127.0.0.1:{bound}", "app": app, "port": port, "gate": gate}
    gate.release()
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (its own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
