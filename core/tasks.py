"""asyncio helpers shared by the web layer and the agent: letting background tasks finish at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def drain_tasks(tasks: Iterable[asyncio.Task[Any]], timeout: float) -> int:
    """Wait up to ``timeout`` seconds for ``tasks``, then cancel those still running; how many were cancelled."""
    running = [task for task in tasks if not task.done()]
    if not running:
        return 0
    _, pending = await asyncio.wait(running, timeout=timeout)
    for task in pending:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
    return len(pending)
