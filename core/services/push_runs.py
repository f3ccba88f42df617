"""How a push job ends, for invoices and payments alike: the record's status, its QBO copy,
and what its outcome sets moving (design/jobs.md: every write fenced by the job's lease).

A push that succeeds records the QBO copy and the version it holds. If the firm changed the
record while the job ran, the next push is queued at once; an invoice that becomes Synced
queues its payments. A record turned off (Skipped) while its job ran stays Skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.billing import Invoice, Payment
from core.domain.jobs import Job, paced_delay
from core.domain.status import SyncStatus
from core.errors import QboPacedError, QboTransientError
from core.ports import JobDispatcher, UnitOfWork
from core.services.accounts import publish_job
from core.services.job_runs import out_of_attempts, queue_retry
from core.services.pushes import queue_invoice_push, queue_payment_push

log = logging.getLogger(__name__)

Pushed = Invoice | Payment


class PushOutcome(StrEnum):
    """What one run of a push job came to."""

    NOT_CLAIMED = "not_claimed"
    SYNCED = "synced"
    DELETED = "deleted"  # the QBO copy of a deleted record is gone
    WAITING = "waiting"  # it cannot go yet (its account or invoice is not Synced)
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class QboCopy:
    """What QBO holds of a record after a push: its Id and SyncToken, or nothing."""

    qbo_id: str | None
    sync_token: str | None


def record(uow: UnitOfWork, job: Job) -> Pushed:
    """The record a push job is for."""
    found = (
        uow.invoices.get_by_id(job.target_id)
        if job.target_type == "invoice"
        else uow.payments.get_by_id(job.target_id)
    )
    assert found is not None, "invoices and payments are never removed, only marked deleted"
    return found


def record_pushed(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    job: Job,
    worker_id: str,
    now: datetime,
    version: int,
    copy: QboCopy,
) -> PushOutcome:
    """The push of `version` went through: keep the QBO copy, and set what follows moving."""
    follow_ups: list[Job] = []
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return PushOutcome.LEASE_LOST
        pushed = record(uow, job)
        pushed.qbo_id, pushed.qbo_sync_token = copy.qbo_id, copy.sync_token
        pushed.pushed_version = max(pushed.pushed_version, version)
        deleted = pushed.deleted_at is not None and copy.qbo_id is None
        if pushed.status is SyncStatus.SYNCING:
            target = SyncStatus.NOT_SYNCED if deleted else SyncStatus.SYNCED
            cause = "deleted in QBO" if deleted else "pushed to QBO"
            uow.history.add(pushed.move_to(target, at=now, cause=cause, job_id=job.id))
        if not pushed.up_to_date and pushed.status is not SyncStatus.SKIPPED:
            follow_ups += _queue_again(uow, pushed, now)
        if isinstance(pushed, Invoice) and pushed.status is SyncStatus.SYNCED:
            follow_ups += _queue_payments(uow, pushed, now)
        uow.commit()
    for follow_up in follow_ups:  # the relay sends any the broker does not take now
        publish_job(uow, dispatcher, follow_up, now)
    log.info("job %s pushed %s %s", job.id, job.target_type, job.target_id)
    return PushOutcome.DELETED if deleted else PushOutcome.SYNCED


def record_waiting(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, reason: str
) -> PushOutcome:
    """It cannot go yet: back to Not synced until what it waits for happens."""
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return PushOutcome.LEASE_LOST
        pushed = record(uow, job)
        if pushed.status is SyncStatus.SYNCING:
            uow.history.add(
                pushed.move_to(SyncStatus.NOT_SYNCED, at=now, cause=f"waiting: {reason}")
            )
        uow.commit()
    return PushOutcome.WAITING


def record_failed(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    error: dict[str, Any],
    also: Callable[[UnitOfWork, Pushed], list[Job]] | None = None,
    dispatcher: JobDispatcher | None = None,
) -> PushOutcome:
    """End in Failed with the reason; `also` may queue what the failure calls for."""
    follow_ups: list[Job] = []
    with uow:
        if not uow.jobs.fail(job.id, worker_id, now, error):
            return PushOutcome.LEASE_LOST
        pushed = record(uow, job)
        if pushed.status is SyncStatus.SYNCING:  # a Skipped record raises no errors
            uow.history.add(
                pushed.move_to(
                    SyncStatus.FAILED, at=now, cause="push failed", job_id=job.id, error=error
                )
            )
        if also is not None:
            follow_ups = also(uow, pushed)
        uow.commit()
    for follow_up in follow_ups:
        if dispatcher is not None:
            publish_job(uow, dispatcher, follow_up, now)
    log.info("job %s failed: %s", job.id, error["message"])
    return PushOutcome.FAILED


def record_paced(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, refusal: QboPacedError
) -> PushOutcome:
    """Retry without counting the attempt: QBO's minute had no room for the request, which
    never left. (Counted, a batch resent while the minute's batch requests were spent ran out
    of attempts and ended Failed although QBO held its payments: found by qbsync bench
    chaos.) It retries when the gate says the window opens, not after the backoff of its
    attempts so far: that grew to a minute for a job that had met a few faults, while the
    room came back in seconds."""
    delay = paced_delay(refusal.retry_after_s)
    if not queue_retry(uow, job, worker_id, now, refusal.as_record(), counted=False, delay=delay):
        return PushOutcome.LEASE_LOST
    return PushOutcome.RETRY_LATER


def record_transient(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, refusal: QboTransientError
) -> PushOutcome:
    """Retry after a backoff, kept in SQL; out of attempts, Failed with the reason. A request
    QBO's limits held back (QboPacedError) retries without spending an attempt."""
    error = refusal.as_record()
    if isinstance(refusal, QboPacedError):
        return record_paced(uow, job, worker_id, now, refusal)
    exhausted = out_of_attempts(job, error)
    if exhausted is not None:
        return record_failed(uow, job, worker_id, now, exhausted)
    if not queue_retry(uow, job, worker_id, now, error):
        return PushOutcome.LEASE_LOST
    return PushOutcome.RETRY_LATER


def _queue_again(uow: UnitOfWork, pushed: Pushed, now: datetime) -> list[Job]:
    cause = "changed while it was pushed"
    if isinstance(pushed, Invoice):
        job = queue_invoice_push(uow, pushed, now, cause=cause)
    else:
        job = queue_payment_push(uow, pushed, now, cause=cause)
    return [job] if job is not None else []


def _queue_payments(uow: UnitOfWork, invoice: Invoice, now: datetime) -> list[Job]:
    assert invoice.id is not None
    # Its move to Synced is written (its row locked) before its payments are read: a payment
    # written meanwhile either commits first and is read here, or waits and sees it Synced.
    uow.flush()
    jobs = []
    for payment in uow.payments.for_invoice(invoice.id):
        if payment.status is SyncStatus.SKIPPED:
            continue
        job = queue_payment_push(uow, payment, now, cause="its invoice was pushed")
        if job is not None:
            jobs.append(job)
    return jobs
