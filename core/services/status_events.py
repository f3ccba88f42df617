"""Status events for the firm's own system: its subscription, and the jobs that deliver them.

The history is the outbox (core.domain.status_events). The scheduler queues a delivery job
for each subscription with changes pending, no backoff to wait out and no job active; one
job per firm at a time, so events go out in id order. A job claims itself (design/jobs.md
§2), reads the next changes, POSTs them with no database transaction open, and records the
outcome fenced by its lease:

- 2xx: the mark moves past what was sent, and if more changes wait the next job is queued
  at once;
- anything else: the subscription counts the failure and waits out a backoff with the
  error kept, and the job ends Failed; the scheduler queues another once the wait is over.
  Nothing is given up.

A worker that dies after the POST leaves the mark where it was: the events go again, with
the same ids (at least once).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.jobs import Job, JobKind, new_job_id
from core.domain.records import StatusChange
from core.domain.status_events import (
    BATCH_SIZE,
    TARGET_TYPE,
    RecordRef,
    StatusEventSubscription,
    events_body,
    signed_headers,
    status_event,
)
from core.errors import ConfigurationError, EventDeliveryError, NotFoundError
from core.ports import JobDispatcher, StatusEventSender, TokenVault, UnitOfWork
from core.services.accounts import publish_job
from core.services.job_runs import fail_job, gave_up_error, with_conflict_retries

log = logging.getLogger(__name__)


class DeliveryOutcome(StrEnum):
    """What one run of a delivery job came to."""

    NOT_CLAIMED = "not_claimed"  # done already, or another worker holds it
    NOTHING_SENT = "nothing_sent"  # no subscription, a backoff to wait out, or nothing pending
    DELIVERED = "delivered"
    REFUSED = "refused"  # the receiver did not take them: they wait for the next attempt
    FAILED = "failed"  # its workers kept dying before it ended
    LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class Subscribed:
    subscription: StatusEventSubscription
    created: bool
    generated_secret: str | None  # made by qbsync because none was given: shown this once


@dataclass(frozen=True)
class _Batch:
    events: list[dict[str, Any]]
    through: int  # the id of the last change in it


def subscribe(
    uow: UnitOfWork, vault: TokenVault, firm_id: int, url: str, secret: str | None, now: datetime
) -> Subscribed:
    """Create or replace the firm's subscription; the secret is stored sealed.

    A new one starts after the firm's latest status change (the past is not replayed) and,
    without a `secret`, gets a generated one. A replaced one keeps its place in the history
    and, without a `secret`, its secret.
    """
    generated = None
    with uow:
        subscription = uow.status_events.for_firm(firm_id)
        created = subscription is None
        if subscription is not None:
            sealed = None if secret is None else vault.seal(secret)
            subscription.redirect(url, sealed, now)
        else:
            if secret is None:
                secret = generated = secrets.token_urlsafe(32)
            subscription = StatusEventSubscription(
                firm_id=firm_id,
                url=url,
                sealed_secret=vault.seal(secret),
                delivered_through=uow.status_events.last_change_id(firm_id),
                created_at=now,
                updated_at=now,
            )
            uow.status_events.add(subscription)
        uow.commit()
    return Subscribed(subscription, created, generated)


def status_event_subscription(uow: UnitOfWork, firm_id: int) -> StatusEventSubscription:
    """The firm's subscription, or NotFoundError."""
    with uow:
        subscription = uow.status_events.for_firm(firm_id)
        if subscription is None:
            raise NotFoundError("subscription", "status-events")
        return subscription


def unsubscribe(uow: UnitOfWork, firm_id: int) -> None:
    """Stop the firm's status events; a delivery under way finishes, and nothing follows it."""
    with uow:
        subscription = uow.status_events.for_firm(firm_id)
        if subscription is not None:
            uow.status_events.remove(subscription)
            uow.commit()


def reseal_status_event_secrets(uow: UnitOfWork, vault: TokenVault) -> int:
    """Seal every subscription's secret again with the newest key; return how many."""
    with uow:
        subscriptions = uow.status_events.all()
        for subscription in subscriptions:
            subscription.sealed_secret = vault.reseal(subscription.sealed_secret)
        uow.commit()
        return len(subscriptions)


def queue_status_event_deliveries(
    uow: UnitOfWork, dispatcher: JobDispatcher, now: datetime, firm_id: int | None = None
) -> int:
    """Queue a delivery job for each subscription (or the firm's) that has changes pending,
    is due and has no job active; hand them over after the commit. Returns how many."""

    def add_jobs() -> list[Job]:
        with uow:
            jobs = [
                _delivery_job(subscription.firm_id, now)
                for subscription in uow.status_events.due(now, firm_id)
                if uow.jobs.active_for(TARGET_TYPE, subscription.firm_id) is None
            ]
            for job in jobs:
                uow.jobs.add(job)
            uow.commit()
            return jobs

    jobs = with_conflict_retries(add_jobs)  # a job queued meanwhile is seen on the next try
    for job in jobs:
        publish_job(uow, dispatcher, job, now)
    return len(jobs)


def run_deliver_status_events(
    uow: UnitOfWork,
    sender: StatusEventSender,
    vault: TokenVault,
    dispatcher: JobDispatcher,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> DeliveryOutcome:
    """Claim the job, POST the firm's next status changes, and record how it went."""
    claimed = _claim(uow, job_id, worker_id, clock())
    if claimed is None:
        return DeliveryOutcome.NOT_CLAIMED
    job, subscription = claimed
    gave_up = gave_up_error(job)
    if gave_up is not None:
        return DeliveryOutcome(fail_job(uow, job, worker_id, clock(), gave_up))
    batch = None
    if subscription is not None and subscription.is_due(clock()):
        batch = _next_batch(uow, subscription)
    if subscription is None or batch is None:
        return _nothing_sent(uow, job, worker_id, clock())
    try:
        secret = vault.open(subscription.sealed_secret)
        body = events_body(batch.events)
        sender.send(subscription.url, body, signed_headers(secret, body, clock()))
    except EventDeliveryError as exc:
        error = exc.as_record()
    except ConfigurationError as exc:  # the key that sealed the secret was dropped
        error = EventDeliveryError(str(exc)).as_record()
    else:
        return _delivered(uow, dispatcher, job, worker_id, clock(), batch.through)
    return _refused(uow, job, worker_id, clock(), subscription.url, error)


def _delivery_job(firm_id: int, now: datetime) -> Job:
    return Job(
        id=new_job_id(),
        firm_id=firm_id,
        kind=JobKind.DELIVER_STATUS_EVENTS,
        target_type=TARGET_TYPE,
        target_id=firm_id,
        created_at=now,
        updated_at=now,
    )


def _claim(
    uow: UnitOfWork, job_id: str, worker_id: str, now: datetime
) -> tuple[Job, StatusEventSubscription | None] | None:
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        subscription = uow.status_events.for_firm(job.target_id)
        uow.commit()
        return job, subscription


def _next_batch(uow: UnitOfWork, subscription: StatusEventSubscription) -> _Batch | None:
    """The next changes as events, or None when none is pending."""
    # Its own short transaction: on PostgreSQL the read holds back new status changes.
    with uow:
        changes = uow.status_events.pending(
            subscription.firm_id, subscription.delivered_through, BATCH_SIZE
        )
    if not changes:
        return None
    with uow:
        events = [status_event(change, _record_ref(uow, change)) for change in changes]
    assert changes[-1].id is not None
    return _Batch(events, changes[-1].id)


def _record_ref(uow: UnitOfWork, change: StatusChange) -> RecordRef:
    """The firm's id of the changed record, and its QBO Id as it is now."""
    if change.record_type == "account":
        account = uow.accounts.get_by_id(change.record_id)
        if account is not None:
            return RecordRef(account.external_id, account.qbo_customer_id)
    elif change.record_type in ("invoice", "payment"):
        get = uow.invoices.get_by_id if change.record_type == "invoice" else uow.payments.get_by_id
        pushed = get(change.record_id)
        if pushed is not None:
            return RecordRef(pushed.external_id, pushed.qbo_id)
    return RecordRef(None, None)  # records are never deleted; an unknown kind is shown bare


def _nothing_sent(uow: UnitOfWork, job: Job, worker_id: str, now: datetime) -> DeliveryOutcome:
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return DeliveryOutcome.LEASE_LOST
        uow.commit()
    return DeliveryOutcome.NOTHING_SENT


def _delivered(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    job: Job,
    worker_id: str,
    now: datetime,
    through: int,
) -> DeliveryOutcome:
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return DeliveryOutcome.LEASE_LOST  # the next holder sends them again
        subscription = uow.status_events.for_firm(job.firm_id)
        if subscription is not None:
            subscription.delivered(through, now)
        uow.commit()
    log.info("job %s delivered firm %s's status events up to %d", job.id, job.firm_id, through)
    queue_status_event_deliveries(uow, dispatcher, now, firm_id=job.firm_id)  # the rest
    return DeliveryOutcome.DELIVERED


def _refused(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, url: str, error: dict[str, Any]
) -> DeliveryOutcome:
    with uow:
        if not uow.jobs.fail(job.id, worker_id, now, error):
            return DeliveryOutcome.LEASE_LOST
        subscription = uow.status_events.for_firm(job.firm_id)
        if subscription is not None and subscription.url == url:  # not a URL set meanwhile
            subscription.refused(error, now)
        uow.commit()
    log.info("job %s: firm %s's receiver refused: %s", job.id, job.firm_id, error["message"])
    return DeliveryOutcome.REFUSED
