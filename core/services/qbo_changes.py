"""Noticing customers deleted or merged in QBO: webhooks and the change-data-capture poll.

Both only queue check jobs (core.services.customer_links) for the Synced accounts linked to
a changed customer; the check reads QBO's current state, so a duplicate or late event is
harmless. A webhook's merge is recorded first, because QBO tells of the survivor only then.

The poll runs as a job per connection (one at a time per firm), queued by the scheduler. It
reads the customers changed since the connection's watermark, at most 30 days back (QBO
refuses older): a watermark older than that, or an answer at QBO's 1,000-object cap, checks
every Synced account of the firm instead. The watermark then moves to when the poll began,
less a small overlap, so a change at the boundary is read twice rather than missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.domain.jobs import Job, JobKind, new_job_id
from core.domain.qbo import QboCustomer, QboEntityChanges, QboWebhookEvent, sync_error
from core.domain.records import Account, CustomerMerge, QboConnection
from core.domain.status import SyncStatus
from core.errors import NotConnectedError, QboError, QboTransientError
from core.ports import JobDispatcher, QboConnector, UnitOfWork
from core.services.accounts import publish_job
from core.services.customer_links import add_check_jobs
from core.services.job_runs import fail_job, gave_up_error, retry_job, with_conflict_retries

log = logging.getLogger(__name__)

# The webhook operations on a Customer after which its link may no longer hold.
CHECKED_OPERATIONS = frozenset({"Update", "Delete", "Merge"})
# QBO's CDC looks back at most 30 days; keep clear of the edge, whatever QBO's clock says.
CDC_LOOK_BACK = timedelta(days=30) - timedelta(minutes=10)
# A CDC answer holds at most this many objects, with no paging: more may have changed.
CDC_MAX_OBJECTS = 1000
# The next poll reads again from this long before this one began.
CDC_OVERLAP = timedelta(minutes=2)
ACCOUNT_PAGE = 500


class PollOutcome(StrEnum):
    """What one run of a poll job came to."""

    NOT_CLAIMED = "not_claimed"
    POLLED = "polled"
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class PollWindow:
    """Where a poll reads from, and whether it must check every Synced account instead."""

    since: datetime
    check_all: bool


def poll_window(connection: QboConnection, now: datetime) -> PollWindow:
    """Since the watermark (the connection's start before its first poll), 30 days at most."""
    since = connection.changes_checked_at or connection.connected_at
    oldest = now - CDC_LOOK_BACK
    if since < oldest:
        return PollWindow(since=oldest, check_all=True)
    return PollWindow(since=since, check_all=False)


def record_webhook_events(
    uow: UnitOfWork, dispatcher: JobDispatcher, events: list[QboWebhookEvent], now: datetime
) -> int:
    """Record the merges a delivery reports and queue checks of the accounts it may concern.

    Only Customer events count; a realm no firm is connected to is ignored. Returns how many
    check jobs were queued; they are handed over after the commit (the relay sends the rest).
    """
    wanted = [e for e in events if e.entity == "Customer" and e.operation in CHECKED_OPERATIONS]
    if not wanted:
        return 0
    jobs = with_conflict_retries(lambda: _record_events(uow, wanted, now))
    for job in jobs:
        publish_job(uow, dispatcher, job, now)
    return len(jobs)


def _record_events(uow: UnitOfWork, events: list[QboWebhookEvent], now: datetime) -> list[Job]:
    with uow:
        jobs: list[Job] = []
        seen: set[int] = set()
        for event in events:
            connections = uow.connections.for_realm(event.realm_id)
            if not connections:
                continue
            if event.operation == "Merge" and event.deleted_id:
                uow.merges.add(_merge(event, now))
            ids = [event.entity_id, *([event.deleted_id] if event.deleted_id else [])]
            for connection in connections:
                if connection.broken_reason is None:  # its jobs could only fail
                    linked = _linked(uow, connection.firm_id, ids)
                    jobs += add_check_jobs(uow, linked, now, seen)
        uow.commit()
        return jobs


def _merge(event: QboWebhookEvent, now: datetime) -> CustomerMerge:
    assert event.deleted_id is not None
    at = event.time if event.time is not None and event.time.tzinfo is not None else now
    return CustomerMerge(
        realm_id=event.realm_id,
        merged_id=event.deleted_id,
        survivor_id=event.entity_id,
        merged_at=at,
    )


def _linked(uow: UnitOfWork, firm_id: int, customer_ids: Iterable[str]) -> list[Account]:
    return [a for cid in customer_ids for a in uow.accounts.linked_to(firm_id, cid)]


def queue_change_polls(uow: UnitOfWork, dispatcher: JobDispatcher, now: datetime) -> int:
    """Queue a poll job for every working connection without one queued or running."""
    with uow:
        jobs = []
        for connection in uow.connections.all():
            assert connection.id is not None
            if connection.broken_reason or uow.jobs.active_for("connection", connection.id):
                continue
            job = Job(
                id=new_job_id(),
                firm_id=connection.firm_id,
                kind=JobKind.POLL_QBO_CHANGES,
                target_type="connection",
                target_id=connection.id,
                created_at=now,
                updated_at=now,
            )
            uow.jobs.add(job)
            jobs.append(job)
        uow.commit()
    for job in jobs:
        publish_job(uow, dispatcher, job, now)
    return len(jobs)


def run_poll_qbo_changes(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PollOutcome:
    """Claim the poll job, read the changed customers, and queue checks of their accounts."""
    started = clock()
    claimed = _claim(uow, job_id, worker_id, started)
    if claimed is None:
        return PollOutcome.NOT_CLAIMED
    job, connection = claimed
    gave_up = gave_up_error(job)
    if gave_up is not None:
        return PollOutcome(fail_job(uow, job, worker_id, clock(), gave_up))
    try:
        if connection is None:
            raise NotConnectedError()
        if connection.broken_reason:
            raise NotConnectedError(connection.broken_reason)
        window = poll_window(connection, started)
        changes = connect(connection).changed_customers(window.since)
    except QboTransientError as exc:
        return PollOutcome(retry_job(uow, job, worker_id, clock(), exc.as_record()))
    except QboError as exc:
        return PollOutcome(fail_job(uow, job, worker_id, clock(), exc.as_record()))
    except NotConnectedError as exc:
        error = sync_error(str(exc), "not_connected")
        return PollOutcome(fail_job(uow, job, worker_id, clock(), error))
    check_all = window.check_all or len(changes.changed) + len(changes.deleted) >= CDC_MAX_OBJECTS
    gone = None if check_all else _gone(changes)
    return with_conflict_retries(
        lambda: _record(uow, dispatcher, job, worker_id, clock(), gone, started - CDC_OVERLAP)
    )


def _claim(
    uow: UnitOfWork, job_id: str, worker_id: str, now: datetime
) -> tuple[Job, QboConnection | None] | None:
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        connection = uow.connections.for_firm(job.firm_id)
        if connection is not None and connection.id != job.target_id:
            connection = None  # reconnected since: the new connection gets polls of its own
        uow.commit()
        return job, connection


def _gone(changes: QboEntityChanges) -> list[str]:
    """The customers that are inactive now, or no longer readable (deleted or merged away)."""
    inactive = [c.id for c in changes.changed if isinstance(c, QboCustomer) and not c.active]
    ids = inactive + [d.id for d in changes.deleted]
    return list(dict.fromkeys(ids))


def _record(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    job: Job,
    worker_id: str,
    now: datetime,
    gone: list[str] | None,
    checked_to: datetime,
) -> PollOutcome:
    """Queue the checks and move the watermark, fenced; `gone` None checks every account."""
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return PollOutcome.LEASE_LOST
        if gone is None:
            accounts = _synced_accounts(uow, job.firm_id)
        else:
            accounts = _linked(uow, job.firm_id, gone)
        jobs = add_check_jobs(uow, accounts, now)
        connection = uow.connections.for_firm(job.firm_id)
        if connection is not None and connection.id == job.target_id:
            previous = connection.changes_checked_at
            connection.changes_checked_at = max(previous or checked_to, checked_to)
        uow.commit()
    for check in jobs:
        publish_job(uow, dispatcher, check, now)
    log.info("job %s polled QBO changes of firm %s: %d check(s)", job.id, job.firm_id, len(jobs))
    return PollOutcome.POLLED


def _synced_accounts(uow: UnitOfWork, firm_id: int) -> list[Account]:
    accounts: list[Account] = []
    while True:
        page, total = uow.accounts.list(
            firm_id, status=SyncStatus.SYNCED, offset=len(accounts), limit=ACCOUNT_PAGE
        )
        accounts += page
        if not page or len(accounts) >= total:
            return accounts
