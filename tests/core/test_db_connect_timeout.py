"""A PostgreSQL server that accepts the TCP connection and never answers (one in the middle of shutting down does
this) makes a connection attempt fail after ``CONNECT_TIMEOUT_S``, not hang: the app answers 503 instead of
stalling every request that waits for a connection."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.db import CONNECT_TIMEOUT_S, connect_kwargs, get_engine


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A listening socket that is never accepted: the kernel completes the handshake, nobody ever replies."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def _within(seconds: float, fn) -> BaseException | None:  # type: ignore[no-untyped-def]
    """Run ``fn`` in a thread; the exception it raised, or fail if it is still running after ``seconds``."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed back to the test
            raised.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still connecting after {seconds} s"
    return raised[0] if raised else None


def test_the_app_engine_gives_up_on_a_silent_server(silent_server: int) -> None:
    engine = get_engine(f"postgresql://payinvest:x@127.0.0.1:{silent_server}/payinvest")

    def connect() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    start = time.monotonic()
    exc = _within(CONNECT_TIMEOUT_S + 10, connect)
    assert isinstance(exc, OperationalError), exc
    assert "timeout" in str(exc).lower(), exc
    assert time.monotonic() - start >= CONNECT_TIMEOUT_S - 1


def test_the_checkpointer_setup_gives_up_on_a_silent_server(silent_server: int) -> None:
    import psycopg

    from agent.checkpoint import _setup_postgres_serialised

    url = f"postgresql://payinvest:x@127.0.0.1:{silent_server}/payinvest"
    # Its first step is the advisory-lock connection: it must fail, not wait for the server forever.
    exc = _within(CONNECT_TIMEOUT_S + 10, lambda: asyncio.run(_setup_postgres_serialised(None, url)))
    assert isinstance(exc, psycopg.OperationalError), exc


def test_a_url_that_sets_its_own_timeout_keeps_it() -> None:
    assert connect_kwargs("postgresql://u@h/db?connect_timeout=2") == {}
    assert connect_kwargs("postgresql://u@h/db") == {"connect_timeout": CONNECT_TIMEOUT_S}
