"""Agent turns run to their end whatever the browser does: a background task, not the HTTP response, drives
each turn; the streamed response only reads what the task produced.

When the client disconnects mid-stream, Starlette cancels the response; the task goes on, the turn is saved
and the conversation shows it after a reconnect. The app's shutdown waits for running turns (bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import structlog

log = structlog.get_logger("payinvest.app")
_END = object()
SHUTDOWN_GRACE_S = 30.0


class _Raised:
    """An exception the turn raised, handed to the reader to raise in its place."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class TurnRunner:
    """Owns the tasks of running turns (one per streamed message)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    def detach(self, events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        """Start consuming ``events`` in a task now; return a reader of them that may be dropped at any time."""
        queue: asyncio.Queue[Any] = asyncio.Queue()  # unbounded: a turn's events are few (tokens included)

        async def pump() -> None:
            try:
                async for event in events:
                    queue.put_nowait(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                queue.put_nowait(_Raised(exc))
            finally:
                queue.put_nowait(_END)

        task = asyncio.create_task(pump(), name="agent-turn")  # copies the request's context (trace, log ids)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return _read(queue)

    async def drain(self, timeout: float = SHUTDOWN_GRACE_S) -> None:
        """Wait for running turns to finish (at shutdown); cancel what is still running after ``timeout``."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if pending:
            log.warning("turns_cancelled_at_shutdown", count=len(pending))


async def _read(queue: asyncio.Queue[Any]) -> AsyncIterator[dict[str, Any]]:
    while True:
        item = await queue.get()
        if item is _END:
            return
        if isinstance(item, _Raised):
            raise item.exc
        yield item


def runner_of(app: Any) -> TurnRunner:
    """The app's turn runner (made on first use)."""
    runner = getattr(app.state, "turn_runner", None)
    if runner is None:
        runner = app.state.turn_runner = TurnRunner()
    return runner
