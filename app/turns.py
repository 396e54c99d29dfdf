"""Running turns as replayable event logs: SSE event ids, ``Last-Event-ID`` resume, stop, approval pushes.

A turn runs in a task of the web process and appends its events to a log; every client (the request that
started it, a reloaded page) follows the log from an event id, so a reload shows the turn continuing or its
result. Logs live in the process that runs the turn: behind several workers, a reload must reach the same one
(docs/scale-out.md); the finished turn is in the thread's history either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.sse import ServerSentEvent

from core.tasks import drain_tasks

SHUTDOWN_GRACE_S = 30.0  # how long the app's shutdown waits for running turns
KEEP_FINISHED = 8  # finished logs kept per process, so a reload right after the end still replays it


@dataclass
class TurnLog:
    """One turn's events in order; ``id`` of event n is ``<run_id>:<n>``."""

    conversation_id: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    events: list[tuple[str, Any]] = field(default_factory=list)
    done: bool = False
    task: asyncio.Task[None] | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def append(self, event_type: str, data: Any, *, last: bool = False) -> None:
        async with self._changed:
            if self.done:
                return
            self.events.append((event_type, data))
            self.done = last
            self._changed.notify_all()

    def start_after(self, last_event_id: str | None) -> int:
        """The index to replay from: after ``last_event_id`` of this run, else from the start."""
        run, _, index = (last_event_id or "").partition(":")
        return int(index) + 1 if run == self.run_id and index.isdigit() else 0

    async def follow(self, start: int = 0) -> AsyncIterator[ServerSentEvent]:
        """The events from index ``start``, then the new ones as they come, until the turn ends."""
        n = start

        def ready() -> bool:
            return len(self.events) > n or self.done

        while True:
            async with self._changed:
                await self._changed.wait_for(ready)
            while n < len(self.events):
                event_type, data = self.events[n]
                yield ServerSentEvent(event=event_type, data=data, id=f"{self.run_id}:{n}")
                n += 1
            if self.done and n >= len(self.events):
                return


EventSource = Callable[[], AsyncIterator[dict[str, Any]]]
ErrorMapper = Callable[[BaseException], dict[str, Any]]


class TurnRegistry:
    """The turns of this process by conversation: start, follow, stop; approval-change notifications."""

    def __init__(self) -> None:
        self._logs: dict[str, TurnLog] = {}
        self._finished: list[str] = []
        self._approvals: dict[str, asyncio.Event] = {}

    def current(self, conversation_id: str) -> TurnLog | None:
        return self._logs.get(conversation_id)

    def running(self, conversation_id: str) -> bool:
        log = self._logs.get(conversation_id)
        return log is not None and not log.done

    def start(self, conversation_id: str, source: EventSource, on_error: ErrorMapper) -> TurnLog:
        """Run ``source`` to its end in a task of its own (a client that goes away does not stop it)."""
        log = TurnLog(conversation_id)
        self._logs[conversation_id] = log
        log.task = asyncio.create_task(self._run(log, source, on_error), name=f"turn-{conversation_id}")
        return log

    async def _run(self, log: TurnLog, source: EventSource, on_error: ErrorMapper) -> None:
        try:
            async for event in source():
                await log.append(str(event.get("type", "message")), event.get("data", {}))
        except asyncio.CancelledError:
            await log.append(
                "stopped", {"conversation_id": log.conversation_id, "reason": "stopped by the analyst"}
            )
        except Exception as exc:  # the error is an event the client shows; the mapper logs unexpected ones
            await log.append("error", on_error(exc))
        finally:
            await log.append("done", {"conversation_id": log.conversation_id}, last=True)
            self._finished.append(log.conversation_id)
            for old in self._finished[:-KEEP_FINISHED]:
                if self._logs.get(old) is not None and self._logs[old].done:
                    del self._logs[old]
            self._finished = self._finished[-KEEP_FINISHED:]

    def running_count(self) -> int:
        """Turns of this process still running."""
        return sum(1 for log in self._logs.values() if not log.done)

    async def drain(self, timeout: float = SHUTDOWN_GRACE_S) -> None:
        """At shutdown: let running turns finish (their proposals and turn rows are saved), then cancel what is
        still running after ``timeout``."""
        cancelled = await drain_tasks(
            (log.task for log in self._logs.values() if log.task is not None), timeout
        )
        if cancelled:
            structlog.get_logger("payinvest.app").warning("turns_cancelled_at_shutdown", count=cancelled)

    async def stop(self, conversation_id: str) -> bool:
        """Cancel the conversation's running turn; False when none is running."""
        log = self._logs.get(conversation_id)
        if log is None or log.done or log.task is None:
            return False
        log.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await log.task
        return True

    def approvals_changed(self, conversation_id: str) -> None:
        """Wake the approval-status streams of the conversation (a decision or a submission landed)."""
        event = self._approvals.pop(conversation_id, None)
        if event is not None:
            event.set()

    async def wait_for_approvals(self, conversation_id: str, timeout: float) -> None:
        """Return when the conversation's approvals change in this process, or after ``timeout`` (another
        worker may have decided)."""
        event = self._approvals.setdefault(conversation_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


def turns_of(app: FastAPI) -> TurnRegistry:
    """The process's turn registry (created with the first turn)."""
    registry = getattr(app.state, "turns", None)
    if registry is None:
        registry = app.state.turns = TurnRegistry()
    return registry
