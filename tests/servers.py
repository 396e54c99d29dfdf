"""Helpers for tests that start real servers as subprocesses on 127.0.0.1 and always stop them."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from core.processes import ServerDidNotStart, free_port
from core.processes import serve_process as core_serve_process

VENV_BIN = Path(sys.executable).parent


__all__ = ["VENV_BIN", "chroma_server", "free_port", "serve_process"]


@contextlib.contextmanager
def serve_process(
    command: list[str],
    health_url: str,
    log: Path,
    *,
    timeout: float = 30,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``core.processes.serve_process`` failing the test (with the log's tail) when the server does not start."""
    try:
        with core_serve_process(command, health_url, log, timeout=timeout, env=env, cwd=cwd) as proc:
            yield proc
    except ServerDidNotStart as exc:
        pytest.fail(exc.message)


@contextlib.contextmanager
def chroma_server(path: Path, log: Path, port: int | None = None) -> Iterator[str]:
    """Chroma's HTTP server (``chroma run``) on a free loopback port (or ``port``, to restart it); yields its URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(VENV_BIN / "chroma"),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--path",
        str(path),
    ]
    with serve_process(command, f"{url}/api/v2/heartbeat", log):
        yield url


DEMO_PASSWORD = "payinvest-demo"


def logged_in_client(base: str, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    """An httpx client of a served app, logged in as ``username``, that sends the CSRF header."""
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c
