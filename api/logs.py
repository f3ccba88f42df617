"""Request ids: each API request's log lines carry one, and its answer names it.

An `X-Request-ID` that a caller or the PaaS router sent is taken when it is short and made
of safe characters (so it cannot forge a log line or carry a secret); anything else is
replaced by a new one. The id is kept around the whole WSGI call, so the lines of every
hook and error handler carry it, and it is answered in `X-Request-ID` (gunicorn's access
line takes it from there: deploy/gunicorn.conf.py). The call's start time is left in the
environ for the request metrics (api.metrics).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask import Flask

from core.logs import request_context

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HEADER = "X-Request-ID"
ENVIRON_ID = "qbsync.request_id"
ENVIRON_STARTED = "qbsync.started"
VALID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def request_id_of(incoming: str | None) -> str:
    """The caller's request id when it is a valid one, else a new one."""
    if incoming is not None and VALID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIds:
    """WSGI middleware: a request id for each call, in its log lines and its answer."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = request_id_of(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_ID] = request_id
        environ[ENVIRON_STARTED] = time.perf_counter()

        def answered(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            kept = [(name, value) for name, value in headers if name.lower() != HEADER.lower()]
            return start_response(status, [*kept, (HEADER, request_id)], exc_info)

        with request_context(request_id):
            return self.app(environ, answered)


def init_request_ids(app: Flask) -> None:
    """Give every call of `app` a request id (outermost, so its hooks have it too)."""
    app.wsgi_app = RequestIds(app.wsgi_app)  # type: ignore[method-assign]
