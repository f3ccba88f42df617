"""gunicorn settings for the `web` process; the PaaS sets PORT and WEB_CONCURRENCY."""

import gc
import os
from typing import Any

from gunicorn.glogging import Logger

from core.logs import LogContext, json_formatter

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# No preload: each worker opens its own database pool and broker connection after the fork.
preload_app = False
# The API answers from SQL and never waits on QBO, so a request over 30 s is stuck.
timeout = 30
graceful_timeout = 20
accesslog = "-"


class JsonLogger(Logger):
    """gunicorn's own lines as JSON, as the app's (core.logs), and one JSON access line a
    request with its request id (api.logs answers it in X-Request-ID). The access line has
    the path without its query: the OAuth callback's query carries a code and a state."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())
                handler.addFilter(LogContext())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "request_id": atoms.get("{x-request-id}o"),
            "method": atoms["m"],
            "path": atoms["U"],
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 3),
            "remote_addr": atoms["h"],
            "user_agent": atoms["a"],
        }
        self.access_log.info("%s %s %s", atoms["m"], atoms["U"], atoms["s"], extra=fields)


logger_class = JsonLogger


def post_worker_init(worker: Any) -> None:
    """Leave the loaded app's objects out of the garbage collector's full passes.

    They live as long as the worker; without this a full pass walks them all, about 70 ms
    every few hundred requests, which is what the slowest requests were waiting on
    (`qbsync bench api`).
    """
    gc.freeze()
