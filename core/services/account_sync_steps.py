"""The steps of an account sync job that one job and a batch of them share.

Claiming a sync with compare-and-set, and recording its outcome while this worker still holds
the job's lease (design/jobs.md §2-3): Synced with the linked customer (its waiting invoices
queued), Failed with advice, or a retry after a transient fault.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.jobs import Job
from core.domain.qbo import DEFAULT_CUSTOMER_TYPE, display_name_for
from core.domain.records import QboConnection
from core.domain.status import SyncStatus
from core.ports import JobDispatcher, UnitOfWork
from core.services.accounts import publish_job
from core.services.cascades import push_invoices_of
from core.services.job_runs import out_of_attempts, queue_retry

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What one run of a job came to."""

    NOT_CLAIMED = "not_claimed"  # done already, or another worker holds it
    SYNCED = "synced"
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"  # the lease expired and another worker took the job over


class LinkRefusedError(Exception):
    """No customer can be linked automatically; `error` says what the bookkeeper can do."""

    def __init__(self, error: dict[str, Any], *, link_lost: bool = False) -> None:
        super().__init__(error["message"])
        self.error = error
        self.link_lost = link_lost  # the linked customer is inactive or gone in QBO


@dataclass(frozen=True)
class Claimed:
    job: Job
    display_name: str
    linked_customer_id: str | None
    connection: QboConnection | None
    chosen_customer_id: str | None = None  # SPEC §2.4: link to this customer
    create: bool = False  # SPEC §2.4: make a new customer
    customer_type: str = DEFAULT_CUSTOMER_TYPE  # the firm's setting (SPEC §2.3)
    email: str | None = None  # for near matches
    merged_into: str | None = None  # QBO merged the linked customer into this one

    @property
    def connection_realm_id(self) -> str:
        assert self.connection is not None
        return self.connection.realm_id


def claim_sync(uow: UnitOfWork, job_id: str, worker_id: str, now: datetime) -> Claimed | None:
    """Claim one sync job (compare-and-set) and read what its run needs."""
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        claimed = claimed_sync(uow, job)
        uow.commit()
        return claimed


def claim_many(
    uow: UnitOfWork,
    find: Callable[[UnitOfWork], Sequence[str]],
    worker_id: str,
    now: datetime,
) -> list[Claimed]:
    """Claim the sync jobs `find` names, in the transaction that finds them (so the rows it
    locks stay locked until the claims commit); those another worker took are left out."""
    with uow:
        job_ids = find(uow)
        jobs = [job for job_id in job_ids if (job := uow.jobs.claim(job_id, worker_id, now))]
        claimed = [claimed_sync(uow, job) for job in jobs]
        uow.commit()
        return claimed


def claimed_sync(uow: UnitOfWork, job: Job) -> Claimed:
    """What the run of a claimed sync job needs, read in the claim's transaction."""
    account = uow.accounts.get_by_id(job.target_id)
    assert account is not None, "a job's account is never deleted while the job is active"
    connection = uow.connections.for_firm(job.firm_id)
    return Claimed(
        job=job,
        display_name=display_name_for(account.name),
        linked_customer_id=account.qbo_customer_id,
        connection=connection,
        chosen_customer_id=_text(job.params.get("customer_id")),
        create=bool(job.params.get("create", False)),
        customer_type=uow.settings.for_firm(job.firm_id).default_customer_type,
        email=account.email,
        merged_into=_survivor(uow, connection, account.qbo_customer_id),
    )


def _survivor(
    uow: UnitOfWork, connection: QboConnection | None, customer_id: str | None
) -> str | None:
    if connection is None or customer_id is None:
        return None
    return uow.merges.survivor_of(connection.realm_id, customer_id)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def record_linked(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    customer_id: str,
    dispatcher: JobDispatcher | None,
) -> Outcome:
    pushes: list[Job] = []
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return Outcome.LEASE_LOST
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None
        if account.status is SyncStatus.SYNCING:  # not turned off while the job ran
            account.qbo_customer_id = customer_id
            uow.history.add(
                account.move_to(
                    SyncStatus.SYNCED, at=now, cause="linked to QBO customer", job_id=job.id
                )
            )
            pushes = push_invoices_of(uow, account, now)
        uow.commit()
    for push in pushes:  # without a dispatcher, or with the broker down, the relay sends them
        if dispatcher is not None:
            publish_job(uow, dispatcher, push, now)
    log.info("job %s linked account %s to QBO customer %s", job.id, job.target_id, customer_id)
    return Outcome.SYNCED


def record_sync_failed(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    error: dict[str, Any],
    *,
    unlink: bool = False,
) -> Outcome:
    """Record Failed; `unlink` drops a link to a customer QBO no longer has active."""
    with uow:
        if not uow.jobs.fail(job.id, worker_id, now, error):
            return Outcome.LEASE_LOST
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None
        if account.status is SyncStatus.SYNCING:  # a Skipped account raises no errors
            if unlink:
                account.qbo_customer_id = None
            uow.history.add(
                account.move_to(
                    SyncStatus.FAILED, at=now, cause="sync failed", job_id=job.id, error=error
                )
            )
        uow.commit()
    log.info("job %s failed: %s", job.id, error["message"])
    return Outcome.FAILED


def record_sync_transient(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, error: dict[str, Any]
) -> Outcome:
    """Retry after a backoff, kept in SQL; out of attempts, Failed with the reason."""
    exhausted = out_of_attempts(job, error)
    if exhausted is not None:
        return record_sync_failed(uow, job, worker_id, now, exhausted)
    if not queue_retry(uow, job, worker_id, now, error):
        return Outcome.LEASE_LOST
    return Outcome.RETRY_LATER
