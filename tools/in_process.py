"""The payments API an installed package offers to run inside this process (the sandbox declares one).

Packages declare it in the ``payinvest.payments_api`` entry-point group (pyproject.toml): a callable
``(settings) -> ASGI app``. Processes that are not allowed to import the sandbox (the agent's CLI commands,
the evals) reach it through this door; ``app/server.py`` builds its one sandbox itself.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import httpx

from tools.errors import PaymentsApiNotConfigured

if TYPE_CHECKING:
    from core.settings import Settings

ENTRY_POINT_GROUP = "payinvest.payments_api"


def in_process_app(settings: Settings) -> Any:
    """A new ASGI app of the in-process payments API (raises ``PaymentsApiNotConfigured`` when none)."""
    found = list(entry_points(group=ENTRY_POINT_GROUP))
    if not found:
        raise PaymentsApiNotConfigured(
            "no payments API: set PAYINVEST_PAYMENTS_API_URL or install a package that runs one in process"
        )
    return found[0].load()(settings)


def in_process_transport(settings: Settings) -> httpx.ASGITransport:
    """An httpx transport over a new in-process payments API."""
    return httpx.ASGITransport(app=in_process_app(settings))
