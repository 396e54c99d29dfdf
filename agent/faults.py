"""Fault injection for the exactly-once tests: SIGKILL this process at a named point (env var, tests only)."""

from __future__ import annotations

import os
import signal

FAULT_ENV = "PAYINVEST_AGENT_FAULT"
POINTS = ("after_decision", "before_execute", "after_execute", "after_record")


def fault_point(name: str) -> None:
    """Kill the process here when ``PAYINVEST_AGENT_FAULT`` names this point (never set outside tests)."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
