"""Logging for every process: one JSON object a line, naming the request or job it is for.

Every entry point (the web app, the worker, the scheduler, `qbsync dev`) calls
`configure_logging` once. A line carries `timestamp`, `level`, `logger`, `message`,
`process`, `thread`, `request_id` (the API request it was logged in) and `job_id` and
`job_kind` (the job a worker was running), null outside one, plus any `extra` fields; a
traceback goes in `exc_info`, inside the same line. The ids live in context variables that
the API (api.logs) and the worker (worker.observed) set around a request or a job, so code
that logs needs to know nothing of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO

from pythonjsonlogger.json import JsonFormatter

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_job: ContextVar[tuple[str, str] | None] = ContextVar("job", default=None)

FIELDS = ("levelname", "name", "message", "process", "threadName")
RENAMED = {"levelname": "level", "name": "logger", "threadName": "thread"}


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Log lines in the block carry `request_id`."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


@contextmanager
def job_context(job_id: str, kind: str) -> Iterator[None]:
    """Log lines in the block carry the job's id and kind."""
    token = _job.set((job_id, kind))
    try:
        yield
    finally:
        _job.reset(token)


class LogContext(logging.Filter):
    """Puts the current request id and job on each record (unless it names its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        job_id, kind = _job.get() or (None, None)
        for name, value in (("request_id", _request_id.get()), ("job_id", job_id)):
            if not hasattr(record, name):
                setattr(record, name, value)
        if not hasattr(record, "job_kind"):
            record.job_kind = kind
        return True


def json_formatter() -> logging.Formatter:
    """The formatter of every process's lines: one JSON object each, with an ISO timestamp."""
    return JsonFormatter(list(FIELDS), rename_fields=RENAMED, timestamp=True)


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing JSON lines with the request and job context to `stream` (stderr)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(LogContext())
    return handler


def configure_logging(level: str | int = "INFO", stream: IO[str] | None = None) -> None:
    """Send every logger's lines to `stream` (stderr) as JSON, from `level` (LOG_LEVEL) up.

    Replaces the root logger's handlers, so calling it again does not double the lines.
    """
    root = logging.getLogger()
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(json_handler(stream))
