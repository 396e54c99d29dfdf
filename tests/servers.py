"""Helpers for tests that start real servers as subprocesses on 127.0.0.1 and always stop them."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    """Start ``command``, wait until ``health_url`` answers 200 (fail with the log's tail), stop it on exit."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(health_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{command[0]} did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[str]:
    """Chroma's HTTP server (``chroma run``) on a free loopback port; yields its URL."""
    port = free_port()
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
