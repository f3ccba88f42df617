"""The ends a claimed job can come to, shared by the job kinds that touch no record's status.

Every write is fenced by the lease (design/jobs.md §2): a worker that lost its lease changes
nothing. Transient faults wait in SQL for their retry, with the backoff and attempts cap of
core.domain.jobs, as sync jobs do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from core.domain.jobs import MAX_ATTEMPTS, Job, retry_delay
from core.domain.qbo import sync_error
from core.errors import ConflictError
from core.ports import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")
# Concurrent writers (a webhook, a poll, an API request) may race for one unique row.
WRITE_TRIES = 3


class Ending(StrEnum):
    """How a job that could not do its work ended this run."""

    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"  # the lease expired and another worker took the job over


def gave_up_error(job: Job) -> dict[str, Any] | None:
    """The error of a job whose workers kept dying before it ended; None while it may run."""
    if job.counted_attempts <= MAX_ATTEMPTS:
        return None
    return sync_error(
        f"Gave up after {MAX_ATTEMPTS} attempts.", "attempts_exhausted", retryable=True
    )


def fail_job(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, error: dict[str, Any]
) -> Ending:
    """End the job in Failed with `error`."""
    with uow:
        if not uow.jobs.fail(job.id, worker_id, now, error):
            return Ending.LEASE_LOST
        uow.commit()
    log.info("%s job %s failed: %s", job.kind.value, job.id, error["message"])
    return Ending.FAILED


def retry_job(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, error: dict[str, Any]
) -> Ending:
    """Queue the job again after a backoff, or fail it once it used up its attempts."""
    exhausted = out_of_attempts(job, error)
    if exhausted is not None:
        return fail_job(uow, job, worker_id, now, exhausted)
    return Ending.RETRY_LATER if queue_retry(uow, job, worker_id, now, error) else Ending.LEASE_LOST


def out_of_attempts(job: Job, error: dict[str, Any]) -> dict[str, Any] | None:
    """The error to end a job with after a transient fault on its last attempt; None while
    it may try again."""
    if job.counted_attempts < MAX_ATTEMPTS:
        return None
    tried = job.counted_attempts
    return {**error, "message": f"{error['message']} (gave up after {tried} attempts)"}


def queue_retry(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    error: dict[str, Any],
    *,
    counted: bool = True,
    delay: timedelta | None = None,
) -> bool:
    """Put the job back in the queue after its backoff (or `delay`), kept in SQL; False if
    the lease was lost (another worker holds the job now). `counted=False`: the attempt does
    not count towards MAX_ATTEMPTS (QBO's pacing held it back; nothing failed)."""
    at = now + (retry_delay(job.counted_attempts) if delay is None else delay)
    with uow:
        if not uow.jobs.retry_later(job.id, worker_id, now, at, error, counted=counted):
            return False
        uow.commit()
    log.info("%s job %s will retry at %s: %s", job.kind.value, job.id, at, error["message"])
    return True


def with_conflict_retries(write: Callable[[], T]) -> T:
    """Run a transaction again when a concurrent one took a unique row first; it then sees it."""
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            return write()
        except ConflictError:
            if attempt == WRITE_TRIES:
                raise
            log.info("a concurrent write took the same row; writing again")
    raise AssertionError("unreachable")
