"""Check a Synced account's link: is its QBO customer still there and active? (SPEC §2.6)

QBO "deletes" a customer by making it inactive, and a merge in QBO's UI makes the merged-away
Id unreadable. A check job reads the linked customer with no database transaction open and
then, while it still holds the job's lease:

- active: nothing changes;
- missing, and a webhook reported where it was merged: relinked to the surviving customer
  (if that one is active), with a synced → synced history entry saying so;
- otherwise (inactive, or missing with no known survivor): Not synced, the reason in the
  account's error and history, and the link cleared, so a later sync links afresh.

Only a Synced account is checked; Skipped, Failed, Not synced and Syncing ones are left alone,
and the status stays Synced while the check runs. Webhooks and the change-data-capture poll
(core.services.qbo_changes) queue these jobs; duplicates are harmless, since each reads QBO's
current state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.jobs import Job, JobKind, new_job_id
from core.domain.qbo import deleted_customer_error, sync_error
from core.domain.records import Account, QboConnection
from core.domain.status import SyncStatus
from core.errors import NotConnectedError, QboError, QboTransientError
from core.ports import MergeRepository, Qbo, QboConnector, UnitOfWork
from core.services.job_runs import fail_job, gave_up_error, retry_job

log = logging.getLogger(__name__)


class CheckOutcome(StrEnum):
    """What one run of a check job came to."""

    NOT_CLAIMED = "not_claimed"  # done already, or another worker holds it
    UNCHANGED = "unchanged"  # the customer is there and active
    LEFT_ALONE = "left_alone"  # the account is not Synced, or its link changed meanwhile
    RELINKED = "relinked"
    NOT_SYNCED = "not_synced"
    FAILED = "failed"
    RETRY_LATER = "retry_later"
    LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class _Claimed:
    job: Job
    customer_id: str | None  # the link to check; None when the account is not Synced
    survivor_id: str | None  # where webhooks said QBO merged that customer, chains followed
    connection: QboConnection | None


@dataclass(frozen=True)
class _Verdict:
    cause: str
    survivor_id: str | None = None  # relink to it
    error: dict[str, Any] | None = None  # or Not synced, with this error


def add_check_jobs(
    uow: UnitOfWork, accounts: Iterable[Account], now: datetime, seen: set[int] | None = None
) -> list[Job]:
    """Queue a check job for each Synced account without an active job (the caller commits).

    An account with a job queued or running is skipped: a sync reads the customer itself,
    and a queued check reads it when it runs. `seen` spans several calls of one transaction.
    """
    seen = set() if seen is None else seen
    jobs = []
    for account in accounts:
        assert account.id is not None
        if account.status is not SyncStatus.SYNCED or account.id in seen:
            continue
        seen.add(account.id)
        if uow.jobs.active_for("account", account.id) is not None:
            continue
        job = Job(
            id=new_job_id(),
            firm_id=account.firm_id,
            kind=JobKind.CHECK_CUSTOMER_LINK,
            target_type="account",
            target_id=account.id,
            created_at=now,
            updated_at=now,
        )
        uow.jobs.add(job)
        jobs.append(job)
    return jobs


def survivor_of(merges: MergeRepository, realm_id: str, customer_id: str) -> str | None:
    """The customer that `customer_id` lives on as after the merges reported, or None."""
    survivor, seen = None, {customer_id}
    while (following := merges.survivor_of(realm_id, survivor or customer_id)) is not None:
        if following in seen:  # a cycle cannot happen in QBO; do not loop on bad data
            return None
        survivor = following
        seen.add(following)
    return survivor


def run_check_customer_link(
    uow: UnitOfWork,
    connect: QboConnector,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> CheckOutcome:
    """Claim the job, read the account's QBO customer, and relink, unlink or leave it."""
    claimed = _claim(uow, job_id, worker_id, clock())
    if claimed is None:
        return CheckOutcome.NOT_CLAIMED
    job = claimed.job
    gave_up = gave_up_error(job)
    if gave_up is not None:
        return CheckOutcome(fail_job(uow, job, worker_id, clock(), gave_up))
    if claimed.customer_id is None:
        return _record(uow, job, worker_id, clock(), claimed, None)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        verdict = _verdict(connect(claimed.connection), claimed.customer_id, claimed.survivor_id)
    except QboTransientError as exc:
        return CheckOutcome(retry_job(uow, job, worker_id, clock(), exc.as_record()))
    except QboError as exc:
        return CheckOutcome(fail_job(uow, job, worker_id, clock(), exc.as_record()))
    except NotConnectedError as exc:
        error = sync_error(str(exc), "not_connected")
        return CheckOutcome(fail_job(uow, job, worker_id, clock(), error))
    return _record(uow, job, worker_id, clock(), claimed, verdict)


def _claim(uow: UnitOfWork, job_id: str, worker_id: str, now: datetime) -> _Claimed | None:
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None, "a job's account is never deleted while the job is active"
        connection = uow.connections.for_firm(job.firm_id)
        linked = account.qbo_customer_id if account.status is SyncStatus.SYNCED else None
        survivor = None
        if linked is not None and connection is not None:
            survivor = survivor_of(uow.merges, connection.realm_id, linked)
        uow.commit()
        return _Claimed(job, linked, survivor, connection)


def _verdict(qbo: Qbo, customer_id: str, survivor_id: str | None) -> _Verdict | None:
    """What to do with the link; None when the customer is there and active."""
    customer = qbo.get_customer(customer_id)
    if customer is not None and customer.active:
        return None
    if customer is None and survivor_id is not None:
        survivor = qbo.get_customer(survivor_id)
        if survivor is not None and survivor.active:
            return _Verdict(
                cause=f"relinked to QBO customer {survivor_id}: customer {customer_id} "
                "was merged into it",
                survivor_id=survivor_id,
            )
    if customer is not None:
        cause = f"QBO customer {customer_id} was deleted (made inactive)"
    else:
        cause = f"QBO customer {customer_id} no longer exists (deleted or merged)"
    name = customer.display_name if customer is not None else None
    return _Verdict(cause=cause, error=deleted_customer_error(customer_id, name))


def _record(
    uow: UnitOfWork,
    job: Job,
    worker_id: str,
    now: datetime,
    claimed: _Claimed,
    verdict: _Verdict | None,
) -> CheckOutcome:
    with uow:
        if not uow.jobs.complete(job.id, worker_id, now):
            return CheckOutcome.LEASE_LOST
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None
        if claimed.customer_id is None:
            outcome = CheckOutcome.LEFT_ALONE
        elif verdict is None:
            outcome = CheckOutcome.UNCHANGED
        elif account.status is not SyncStatus.SYNCED or (
            account.qbo_customer_id != claimed.customer_id
        ):
            outcome = CheckOutcome.LEFT_ALONE  # unsynced or relinked while QBO was read
        elif verdict.survivor_id is not None:
            uow.history.add(
                account.relink(verdict.survivor_id, at=now, cause=verdict.cause, job_id=job.id)
            )
            outcome = CheckOutcome.RELINKED
        else:
            uow.history.add(
                account.move_to(
                    SyncStatus.NOT_SYNCED,
                    at=now,
                    cause=verdict.cause,
                    job_id=job.id,
                    error=verdict.error,
                )
            )
            account.qbo_customer_id = None  # SPEC §2.6: a later sync links afresh
            outcome = CheckOutcome.NOT_SYNCED
        uow.commit()
    log.info("job %s checked account %s: %s", job.id, job.target_id, outcome.value)
    return outcome
