"""The console the command line prints tables to: the terminal's width, or wide enough when piped to a log."""

from __future__ import annotations

import os
import sys
from typing import Any

LOG_WIDTH = 160  # a CI log or a pipe has no width; Rich's 80 columns would cut metric names short


def console(**kwargs: Any) -> Any:
    """A Rich console for stdout (or ``stderr=True``); not a terminal: LOG_WIDTH columns unless COLUMNS is set."""
    from rich.console import Console

    stream = sys.stderr if kwargs.get("stderr") else sys.stdout
    if "width" not in kwargs and not stream.isatty() and not os.environ.get("COLUMNS"):
        kwargs["width"] = LOG_WIDTH
    return Console(**kwargs)
