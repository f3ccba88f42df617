"""The steps of an account sync job that one job and a lane run of many share.

Claiming syncs with compare-and-set, and recording how they ended while this worker still
holds their leases (design/jobs.md §2-3): Synced with the linked customer (its waiting
invoices queued), Failed with advice, or a retry after a transient fault. A run that settles
many accounts records them all in one transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.billing import Invoice
from core.domain.jobs import Job, Lane, retry_delay
from core.domain.qbo import DEFAULT_CUSTOMER_TYPE, display_name_for
from core.domain.records import Account, QboConnection
from core.domain.status import SyncStatus
from core.ports import JobDispatcher, UnitOfWork
from core.services.accounts import publish_job
from core.services.cascades import push_invoices_of
from core.services.job_runs import out_of_attempts

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What one run of a job came to."""

    NOT_CLAIMED = "not_claimed"  # done already, or another worker holds it
    SYNCED = "synced"
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"  # the lease expired and another worker took the job over
    # Left queued for its lane: the runs at work on the lane take it (sync_account_lane).
    DEFERRED = "deferred"


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
        [claimed] = claimed_syncs(uow, [job])
        uow.commit()
        return claimed


def claim_lane_syncs(
    uow: UnitOfWork, firm_id: int, lane: Lane, worker_id: str, now: datetime, limit: int
) -> list[Claimed]:
    """Claim up to `limit` of the firm's queued syncs of `lane`, oldest first, and read what
    their run needs, all in one transaction."""
    with uow:
        claimed = claimed_syncs(uow, uow.jobs.claim_lane(firm_id, lane, worker_id, now, limit))
        uow.commit()
        return claimed


def claimed_syncs(uow: UnitOfWork, jobs: Sequence[Job]) -> list[Claimed]:
    """What the runs of claimed sync jobs of one firm need, read in the claim's transaction."""
    if not jobs:
        return []
    firm_id = jobs[0].firm_id
    assert all(job.firm_id == firm_id for job in jobs), "one firm's jobs at a time"
    accounts = {a.id: a for a in uow.accounts.by_ids([job.target_id for job in jobs])}
    connection = uow.connections.for_firm(firm_id)
    customer_type = uow.settings.for_firm(firm_id).default_customer_type
    linked = [a.qbo_customer_id for a in accounts.values() if a.qbo_customer_id is not None]
    survivors = uow.merges.survivors_of(connection.realm_id, linked) if connection else {}
    claimed = []
    for job in jobs:
        account = accounts.get(job.target_id)
        assert account is not None, "a job's account is never deleted while the job is active"
        claimed.append(
            Claimed(
                job=job,
                display_name=display_name_for(account.name),
                linked_customer_id=account.qbo_customer_id,
                connection=connection,
                chosen_customer_id=_text(job.params.get("customer_id")),
                create=bool(job.params.get("create", False)),
                customer_type=customer_type,
                email=account.email,
                merged_into=survivors.get(account.qbo_customer_id or ""),
            )
        )
    return claimed


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Settlement:
    """How one sync ended this run: linked, failed, or to be retried after a transient fault."""

    job: Job
    customer_id: str | None = None  # linked to this customer
    error: dict[str, Any] | None = None  # why it failed, or why it is retried
    transient: bool = False
    unlink: bool = False  # drop a link to a customer QBO no longer has active

    @classmethod
    def linked(cls, job: Job, customer_id: str) -> Settlement:
        return cls(job, customer_id=customer_id)

    @classmethod
    def failed(cls, job: Job, error: dict[str, Any], *, unlink: bool = False) -> Settlement:
        return cls(job, error=error, unlink=unlink)

    @classmethod
    def retried(cls, job: Job, error: dict[str, Any]) -> Settlement:
        return cls(job, error=error, transient=True)


def record_settlements(
    uow: UnitOfWork,
    settlements: Sequence[Settlement],
    worker_id: str,
    now: datetime,
    dispatcher: JobDispatcher | None,
    *,
    also: Callable[[UnitOfWork], None] | None = None,
) -> dict[str, Outcome]:
    """Record how each sync ended, in one transaction, fenced by this worker's leases.

    A Synced account queues its invoices that waited for the link; a Skipped account (sync
    turned off while the job ran) stays Skipped and raises no error. `also` writes what else
    belongs in the same transaction (that a send was answered, say).
    """
    outcomes: dict[str, Outcome] = {}
    pushes: list[Job] = []
    with uow:
        completed = uow.jobs.complete_many(
            [s.job.id for s in settlements if s.customer_id is not None], worker_id, now
        )
        moves: dict[int, tuple[Settlement, dict[str, Any] | None]] = {}
        for settlement in settlements:
            outcome, error = _end_job(uow, settlement, worker_id, now, completed)
            outcomes[settlement.job.id] = outcome
            if outcome in (Outcome.SYNCED, Outcome.FAILED):
                moves[settlement.job.target_id] = settlement, error
        # Locked before their invoices are read: an invoice written meanwhile either commits
        # first (and is read here) or waits for this commit (and sees the account Synced).
        accounts = uow.accounts.by_ids(list(moves), for_update=True)
        invoices = uow.invoices.for_accounts(
            [a.id for a in accounts if a.id is not None and moves[a.id][1] is None]
        )
        for account in accounts:
            assert account.id is not None
            settlement, error = moves[account.id]
            pushes += _move(uow, account, settlement, error, now, invoices)
        if also is not None:
            also(uow)
        uow.commit()
    for push in pushes:  # without a dispatcher, or with the broker down, the relay sends them
        if dispatcher is not None:
            publish_job(uow, dispatcher, push, now)
    _log(settlements, outcomes)
    return outcomes


def _end_job(
    uow: UnitOfWork, settlement: Settlement, worker_id: str, now: datetime, completed: set[str]
) -> tuple[Outcome, dict[str, Any] | None]:
    """End the settlement's job (fenced by the lease): the outcome, and the error it failed
    with; LEASE_LOST when another worker holds the job now."""
    job = settlement.job
    if settlement.customer_id is not None:
        return (Outcome.SYNCED if job.id in completed else Outcome.LEASE_LOST), None
    assert settlement.error is not None
    error = settlement.error
    if settlement.transient:
        exhausted = out_of_attempts(job, error)
        if exhausted is None:
            at = now + retry_delay(job.counted_attempts)
            if not uow.jobs.retry_later(job.id, worker_id, now, at, error):
                return Outcome.LEASE_LOST, None
            log.info("sync job %s will retry at %s: %s", job.id, at, error["message"])
            return Outcome.RETRY_LATER, None
        error = exhausted
    if not uow.jobs.fail(job.id, worker_id, now, error):
        return Outcome.LEASE_LOST, None
    log.info("sync job %s failed: %s", job.id, error["message"])
    return Outcome.FAILED, error


def _move(
    uow: UnitOfWork,
    account: Account,
    settlement: Settlement,
    error: dict[str, Any] | None,
    now: datetime,
    invoices: dict[int, list[Invoice]],
) -> list[Job]:
    """The account's move to Synced or Failed; the invoice pushes a link queues."""
    if account.status is not SyncStatus.SYNCING:
        return []  # turned off while the job ran: a Skipped account raises no errors
    job = settlement.job
    if error is None:
        account.qbo_customer_id = settlement.customer_id
        uow.history.add(
            account.move_to(
                SyncStatus.SYNCED, at=now, cause="linked to QBO customer", job_id=job.id
            )
        )
        assert account.id is not None
        return push_invoices_of(uow, account, now, invoices.get(account.id))
    if settlement.unlink:
        account.qbo_customer_id = None
    uow.history.add(
        account.move_to(SyncStatus.FAILED, at=now, cause="sync failed", job_id=job.id, error=error)
    )
    return []


def _log(settlements: Sequence[Settlement], outcomes: dict[str, Outcome]) -> None:
    if len(settlements) == 1:
        [only] = settlements
        if outcomes[only.job.id] is Outcome.SYNCED:
            log.info(
                "job %s linked account %s to QBO customer %s",
                only.job.id,
                only.job.target_id,
                only.customer_id,
            )
        return
    counts = Counter(outcome.value for outcome in outcomes.values())
    log.info("settled %d account syncs: %s", len(settlements), dict(counts))


def record_linked(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    customer_id: str,
    dispatcher: JobDispatcher | None,
) -> Outcome:
    """Record Synced with the linked customer; its waiting invoices are queued."""
    settled = Settlement.linked(job, customer_id)
    return record_settlements(uow, [settled], worker_id, now, dispatcher)[job.id]


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
    settled = Settlement.failed(job, error, unlink=unlink)
    return record_settlements(uow, [settled], worker_id, now, None)[job.id]


def record_sync_transient(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, error: dict[str, Any]
) -> Outcome:
    """Retry after a backoff, kept in SQL; out of attempts, Failed with the reason."""
    settled = Settlement.retried(job, error)
    return record_settlements(uow, [settled], worker_id, now, None)[job.id]
