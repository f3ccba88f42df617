"""The outbox relay: hands over jobs that were recorded but never sent, or are due again."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.ports import JobDispatcher, UnitOfWork
from core.services.accounts import publish_job

# A job sent this long ago and still unclaimed is sent again: its message may have been lost
# with a Redis restart. Duplicate messages are harmless; the claim lets one through.
REPUBLISH_AFTER = timedelta(minutes=5)


def relay_jobs(uow: UnitOfWork, dispatcher: JobDispatcher, now: datetime, limit: int = 500) -> int:
    """Send every job that is due and not in the queue; return how many were sent."""
    with uow:
        due = uow.jobs.due_for_relay(now, now - REPUBLISH_AFTER, limit)
    return sum(publish_job(uow, dispatcher, job, now) for job in due)
