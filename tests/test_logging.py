"""Logging keeps working after the stream that was current at configuration time is closed."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from core.logging import configure_logging


def test_logs_go_to_the_current_stderr_after_the_old_one_closed(capsys: pytest.CaptureFixture[str]) -> None:
    old, temporary = sys.stderr, io.StringIO()
    sys.stderr = temporary  # what a CLI test harness does while a command runs
    try:
        configure_logging("INFO")
    finally:
        sys.stderr = old
        temporary.close()
    structlog.get_logger("t").info("still.logging", n=1)
    assert "still.logging" in capsys.readouterr().err
