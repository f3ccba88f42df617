"""What the invoice and payment services share: queueing a push, handing jobs over, and the
changes a firm or an admin makes to either record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.domain.billing import Invoice, Payment
from core.domain.jobs import Job
from core.domain.status import SyncStatus
from core.ports import JobDispatcher, UnitOfWork
from core.services import pushes
from core.services.accounts import publish_job

TURNED_OFF = "sync turned off"


def queue_push(
    uow: UnitOfWork,
    record: Invoice | Payment,
    now: datetime,
    *,
    cause: str,
    explicit: bool = False,
) -> tuple[Job | None, bool]:
    """Queue the record's push by the rules of core.services.pushes.

    Return the job (None when nothing is to be pushed now) and whether this call recorded it:
    a job already queued or running for the record is returned too, but it needs no new
    message (it pushes the latest version when it runs).
    """
    assert record.id is not None, "flush a new record before queueing its push"
    before = uow.jobs.active_for(record.record_type, record.id)
    if isinstance(record, Invoice):
        job = pushes.queue_invoice_push(uow, record, now, cause=cause, explicit=explicit)
    else:
        job = pushes.queue_payment_push(uow, record, now, cause=cause, explicit=explicit)
    return job, job is not None and before is None


def hand_over(
    uow: UnitOfWork, dispatcher: JobDispatcher, jobs: Iterable[Job], now: datetime
) -> None:
    """Send committed jobs to the queue; one the broker refuses is left to the relay sweep."""
    for job in jobs:
        publish_job(uow, dispatcher, job, now)


def mark_deleted(record: Invoice | Payment, now: datetime) -> None:
    """The firm deleted the record: keep it, marked, until its QBO copy is deleted too."""
    record.deleted_at = now
    record.version += 1
    record.updated_at = now


def turn_off(uow: UnitOfWork, record: Invoice | Payment, now: datetime, cause: str) -> None:
    """Make the record Skipped (unless it is already) and record why; QBO keeps its copy."""
    if record.status is not SyncStatus.SKIPPED:
        uow.history.add(record.move_to(SyncStatus.SKIPPED, at=now, cause=cause))


def every_status(counts: dict[SyncStatus, int]) -> dict[SyncStatus, int]:
    """Counts per status with every status named, zeros too."""
    return {status: counts.get(status, 0) for status in SyncStatus}
