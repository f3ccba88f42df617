"""Run an account sync job: link the account to its QBO customer, or record why not.

The job is claimed first (compare-and-set), QBO is called with no database transaction
open, and the outcome is written only while this worker still holds the job's lease.
Creates carry a request id derived from the job, so a job that runs twice, or is killed
half-way and run again, never creates a second customer (design/jobs.md §2-3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.jobs import MAX_ATTEMPTS, Job, request_id, retry_delay
from core.domain.linking import LinkAction, plan_link
from core.domain.matching import rank_candidates
from core.domain.qbo import (
    DEFAULT_CUSTOMER_TYPE,
    QboCustomer,
    display_name_for,
    explain_qbo_error,
    refused_name_error,
    sync_error,
)
from core.domain.records import QboConnection
from core.domain.status import SyncStatus
from core.errors import NotConnectedError, QboFaultError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.accounts import publish_job
from core.services.cascades import push_invoices_of
from core.services.customers import CustomerDirectory

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
class _Claimed:
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


def run_sync_account(
    uow: UnitOfWork,
    connect: QboConnector,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
    directory: CustomerDirectory | None = None,
    dispatcher: JobDispatcher | None = None,
) -> Outcome:
    """Claim the job, link its account to a QBO customer, and record Synced or Failed.

    `directory` caches the realm's customer list for near matches; each call without one
    reads it afresh.
    """
    claimed = _claim(uow, job_id, worker_id, clock())
    if claimed is None:
        return Outcome.NOT_CLAIMED
    job = claimed.job
    if job.attempts > MAX_ATTEMPTS:
        # Its workers kept dying before recording an outcome (design/jobs.md §4).
        error = sync_error(
            f"Gave up after {MAX_ATTEMPTS} attempts; sync the account again to retry.",
            "attempts_exhausted",
            retryable=True,
        )
        return _record_failure(uow, job, worker_id, clock(), error)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        customer_id = _link(
            connect(claimed.connection), claimed, job, directory or CustomerDirectory()
        )
    except QboTransientError as exc:
        return _record_transient(uow, job, worker_id, clock(), exc.as_record())
    except QboFaultError as exc:
        return _record_failure(
            uow, job, worker_id, clock(), explain_qbo_error(exc, claimed.display_name)
        )
    except LinkRefusedError as exc:
        return _record_failure(uow, job, worker_id, clock(), exc.error, unlink=exc.link_lost)
    except NotConnectedError as exc:
        return _record_failure(uow, job, worker_id, clock(), sync_error(str(exc), "not_connected"))
    return _record_success(uow, job, worker_id, clock(), customer_id, dispatcher)


def _claim(uow: UnitOfWork, job_id: str, worker_id: str, now: datetime) -> _Claimed | None:
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None, "a job's account is never deleted while the job is active"
        connection = uow.connections.for_firm(job.firm_id)
        claimed = _Claimed(
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
        uow.commit()
        return claimed


def _survivor(
    uow: UnitOfWork, connection: QboConnection | None, customer_id: str | None
) -> str | None:
    if connection is None or customer_id is None:
        return None
    return uow.merges.survivor_of(connection.realm_id, customer_id)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _link(qbo: Qbo, claimed: _Claimed, job: Job, directory: CustomerDirectory) -> str:
    """The Id of the QBO customer the account links to: chosen, kept, matched or created."""
    if claimed.chosen_customer_id is not None:
        return _chosen(qbo, claimed.chosen_customer_id)
    if claimed.create:
        _refuse_bad_name(claimed)
        return _create(qbo, claimed, job, directory)
    # A kept link needs no name: an account renamed since is still linked (SPEC §2.1).
    linked = _linked(qbo, claimed) if claimed.linked_customer_id else None
    link_lost = claimed.linked_customer_id is not None and linked is None
    if linked is None:
        _refuse_bad_name(claimed, link_lost=link_lost)
    # Inactive customers keep their names in QBO, so the lookup sees them too (qbo/README.md).
    namesakes = [] if linked else qbo.find_customers_by_display_name(claimed.display_name)
    candidates = []
    if linked is None and not namesakes:  # only then do near matches decide anything
        customers = directory.customers(claimed.connection_realm_id, qbo)
        candidates = rank_candidates(claimed.display_name, claimed.email, customers)
    plan = plan_link(
        claimed.display_name, linked=linked, namesakes=namesakes, candidates=candidates
    )
    if plan.action is LinkAction.LINK:
        assert plan.customer_id is not None
        return plan.customer_id
    if plan.action is LinkAction.NEEDS_PERSON:
        assert plan.error is not None
        raise LinkRefusedError(plan.error, link_lost=link_lost)
    return _create(qbo, claimed, job, directory)


def _refuse_bad_name(claimed: _Claimed, *, link_lost: bool = False) -> None:
    """Fail a name QBO would refuse before spending its calls on it."""
    refused = refused_name_error(claimed.display_name)
    if refused is not None:
        raise LinkRefusedError(refused, link_lost=link_lost)


def _linked(qbo: Qbo, claimed: _Claimed) -> QboCustomer | None:
    """The active customer the account is linked to, or the one it was merged into."""
    for customer_id in (claimed.linked_customer_id, claimed.merged_into):
        if customer_id is not None:
            customer = qbo.get_customer(customer_id)
            if customer is not None:
                return customer if customer.active else None
    return None


def _chosen(qbo: Qbo, customer_id: str) -> str:
    """The customer an admin chose, if QBO has it and it is active."""
    chosen = qbo.get_customer(customer_id)
    if chosen is None:
        raise LinkRefusedError(
            sync_error(
                f"QuickBooks has no customer with Id {customer_id}; choose another one.",
                "customer_not_found",
            )
        )
    if not chosen.active:
        raise LinkRefusedError(
            sync_error(
                f"The QuickBooks customer {chosen.display_name!r} (Id {customer_id}) is inactive "
                "(deleted): reactivate it in QuickBooks, or choose another customer.",
                "customer_inactive",
            )
        )
    return chosen.id


def _create(qbo: Qbo, claimed: _Claimed, job: Job, directory: CustomerDirectory) -> str:
    # A company without the type gets a customer without one, not a failed create (SPEC §2.3).
    type_id = qbo.find_customer_type_id(claimed.customer_type)
    created = qbo.create_customer(
        claimed.display_name,
        request_id=request_id(job.id, "create-customer"),
        customer_type_id=type_id,
    )
    directory.forget(claimed.connection_realm_id)  # near matches must see the new customer
    return created.id


def _record_success(
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


def _record_failure(
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


def _record_transient(
    uow: UnitOfWork, job: Job, worker_id: str, now: datetime, error: dict[str, Any]
) -> Outcome:
    if job.attempts >= MAX_ATTEMPTS:
        error = {**error, "message": f"{error['message']} (gave up after {job.attempts} attempts)"}
        return _record_failure(uow, job, worker_id, now, error)
    with uow:
        at = now + retry_delay(job.attempts)
        if not uow.jobs.retry_later(job.id, worker_id, now, at, error):
            return Outcome.LEASE_LOST
        uow.commit()
    log.info("job %s will retry at %s: %s", job.id, at.isoformat(), error["message"])
    return Outcome.RETRY_LATER
