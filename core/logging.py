"""Structured logging (structlog) shared by every command; stdlib loggers (uvicorn, libraries) go through the
same processors, so with ``PAYINVEST_LOG_JSON=true`` every line is one JSON object."""

from __future__ import annotations

import logging
import sys

import structlog

from core.tracing import add_trace_ids


class _StderrLogger:
    """Writes each line to the *current* ``sys.stderr``: a stream captured at configuration time may be closed
    later (test runners and CLI test harnesses swap it)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _stderr_logger_factory(*_args: object) -> _StderrLogger:
    return _StderrLogger()


class _StderrHandler(logging.Handler):
    """A stdlib handler that writes formatted records to the current ``sys.stderr`` (same reason as above)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr, flush=True)
        except Exception:
            self.handleError(record)


# Request id, user, thread and turn are bound as context variables (app.observability, agent.service).
SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    add_trace_ids,
]


def configure_logging(level: str = "INFO", json_logs: bool = False) -> None:
    """Route structlog and stdlib logging to stderr, as key=value lines or JSON."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *SHARED_PROCESSORS],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's own handlers and levels, and a dictConfig/fileConfig run earlier in the process (uvicorn's
    # log_level, Alembic's env.py disabling existing loggers) would otherwise bypass or silence ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        stdlib_logger = logging.getLogger(name)
        stdlib_logger.handlers = []
        stdlib_logger.propagate = True
        stdlib_logger.disabled = False
        stdlib_logger.setLevel(logging.NOTSET)
    structlog.configure(
        processors=[*SHARED_PROCESSORS, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger_factory,
        cache_logger_on_first_use=False,
    )
