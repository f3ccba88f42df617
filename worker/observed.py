"""What a job run leaves besides its effects: log lines that name the job, and metrics.

Each actor runs inside `observed`: its log lines carry `job_id` and `job_kind`
(core.logs), and when it ends it counts in JOBS by kind and outcome (what the service
answered, or how the run raised), in JOB_RETRIES when the job will run again, and its
duration in JOB_DURATION. The metrics go to the process's store (worker.runtime), which
never raises nor waits on Redis (core.adapters.metrics_redis).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from dramatiq.middleware import Shutdown, TimeLimitExceeded

from core.adapters.metrics_families import JOB_DURATION, JOB_RETRIES, JOBS
from core.domain.jobs import JobKind
from core.logs import job_context
from core.ports import Metrics
from worker.runtime import services

# Outcomes after which the job runs again, and why: the service put it back for its retry
# (in SQL), or the run raised and the message or the relay brings it back.
RETRIED = {
    "retry_later": "transient",
    "refused": "transient",  # status events the firm's system did not take
    "error": "exception",
    "interrupted": "interrupted",
    "time_limit": "time_limit",
}


def observed(kind: JobKind, run: Callable[..., object]) -> Callable[..., None]:
    """`run` (an actor's function, job id first) with its log context and metrics."""

    @functools.wraps(run)
    def observed_run(job_id: str, *args: Any, **kwargs: Any) -> None:
        started = time.monotonic()
        outcome = "error"
        try:
            with job_context(job_id, kind.value):
                outcome = str(run(job_id, *args, **kwargs))
        except Shutdown:
            outcome = "interrupted"
            raise
        except TimeLimitExceeded:
            outcome = "time_limit"
            raise
        finally:
            record_run(services().metrics, kind, outcome, time.monotonic() - started)

    return observed_run


def record_run(metrics: Metrics, kind: JobKind, outcome: str, seconds: float) -> None:
    """Count one run of a job of `kind` that came to `outcome` after `seconds`."""
    metrics.count(JOBS, {"kind": kind.value, "outcome": outcome})
    if outcome in RETRIED:
        metrics.count(JOB_RETRIES, {"kind": kind.value, "reason": RETRIED[outcome]})
    metrics.observe(JOB_DURATION, {"kind": kind.value}, seconds)
