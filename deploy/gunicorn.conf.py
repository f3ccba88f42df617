"""gunicorn settings for the `web` process; the PaaS sets PORT and WEB_CONCURRENCY."""

import gc
import os
from typing import Any

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# No preload: each worker opens its own database pool and broker connection after the fork.
preload_app = False
# The API answers from SQL and never waits on QBO, so a request over 30 s is stuck.
timeout = 30
graceful_timeout = 20
accesslog = "-"


def post_worker_init(worker: Any) -> None:
    """Leave the loaded app's objects out of the garbage collector's full passes.

    They live as long as the worker; without this a full pass walks them all, about 70 ms
    every few hundred requests, which is what the slowest requests were waiting on
    (`qbsync bench api`).
    """
    gc.freeze()
