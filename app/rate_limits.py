"""Request rate limits: login attempts per client address, agent turns per user (429 ``rate_limited``).

Sliding windows held in the worker process: with several workers each enforces the limit on its own share
of the traffic (the per-account lockout of core.login_throttle is the one shared across workers).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.errors import ApiError, error_response

WINDOW_S = 60.0
MAX_KEYS = 10_000  # distinct clients or users remembered; the least recently seen is forgotten first


class RateLimited(ApiError):
    """Too many requests of one kind from one client or user in the window."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(429, "rate_limited", message)
        self.retry_after_s = retry_after_s


class SlidingWindow:
    """At most ``limit`` events per key in any ``window_s`` seconds."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def hit(self, key: str) -> float | None:
        """Count one event for ``key``; None when allowed, else the seconds until the next one is."""
        if self.limit <= 0:
            return None
        now = self.clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            self._hits[key] = hits
            if len(self._hits) > MAX_KEYS:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return hits[0] + self.window_s - now
            hits.append(now)
            return None


class RateLimits:
    """The app's limits, from the settings (``login_rate_limit``, ``turn_rate_limit`` per minute)."""

    def __init__(self, login_per_minute: int, turns_per_minute: int) -> None:
        self.login = SlidingWindow(login_per_minute)
        self.turns = SlidingWindow(turns_per_minute)


def rate_limits_of(request: Request) -> RateLimits:
    """The limits of the request's app (made from its settings on first use)."""
    state = request.app.state
    limits = getattr(state, "rate_limits", None)
    if limits is None:
        settings = state.settings
        limits = state.rate_limits = RateLimits(settings.login_rate_limit, settings.turn_rate_limit)
    return limits


def check_login_rate(request: Request) -> None:
    """Refuse a login attempt when this client address tried too often (before any password check)."""
    client = request.client.host if request.client else "unknown"
    wait = rate_limits_of(request).login.hit(client)
    if wait is not None:
        raise RateLimited(
            f"too many login attempts from this address; try again in {math.ceil(wait)} s", wait
        )


def check_turn_rate(request: Request, username: str) -> None:
    """Refuse a new agent turn when this user started too many in the window."""
    wait = rate_limits_of(request).turns.hit(username)
    if wait is not None:
        raise RateLimited(f"too many questions in a minute; try again in {math.ceil(wait)} s", wait)


def install_rate_limit_handler(app: FastAPI) -> None:
    """Answer RateLimited with the JSON error and a ``Retry-After`` header."""

    @app.exception_handler(RateLimited)
    async def _limited(_request: Request, exc: RateLimited) -> JSONResponse:
        response = error_response(exc.status, exc.code, exc.message)
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
        return response
