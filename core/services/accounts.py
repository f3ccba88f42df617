"""Accounts as the firm's system sends them, and the requests to sync them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.domain.jobs import Job, JobKind, Lane, new_job_id
from core.domain.records import Account, StatusChange
from core.domain.status import SyncStatus
from core.errors import ConflictError, NotFoundError
from core.ports import JobDispatcher, UnitOfWork
from core.services.cascades import skip_invoices_with

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountPage:
    items: Sequence[Account]
    total: int


def put_account(
    uow: UnitOfWork,
    firm_id: int,
    external_id: str,
    name: str,
    now: datetime,
    *,
    email: str | None = None,
    dispatcher: JobDispatcher | None = None,
) -> tuple[Account, bool]:
    """Create or update an account; return it and whether it was created.

    A rename changes only our record: the link is not a mirror (SPEC §2.1). The e-mail address
    only helps suggest candidates; None clears it. With a `dispatcher`, a new account of a firm
    that has `auto_sync_new_accounts` on gets its sync job in the same transaction.
    """
    job = None
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        created = account is None
        if account is None:
            account = Account(
                firm_id=firm_id,
                external_id=external_id,
                name=name,
                email=email,
                created_at=now,
                updated_at=now,
            )
            uow.accounts.add(account)
        elif (account.name, account.email) != (name, email):
            account.name, account.email = name, email
            account.updated_at = now
        if created and dispatcher and uow.settings.for_firm(firm_id).auto_sync_new_accounts:
            uow.flush()  # the account's id, for its job
            job = start_sync_job(uow, account, now, {}, cause="new account: synced automatically")
        uow.commit()
    if job is not None and dispatcher is not None:
        publish_job(uow, dispatcher, job, now)
    return account, created


def get_account(uow: UnitOfWork, firm_id: int, external_id: str) -> Account:
    """One account of the firm, or NotFoundError."""
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        if account is None:
            raise NotFoundError("account", external_id)
        return account


def list_accounts(
    uow: UnitOfWork,
    firm_id: int,
    *,
    status: SyncStatus | None,
    offset: int,
    limit: int,
    name_contains: str | None = None,
) -> AccountPage:
    """A page of the firm's accounts, oldest first: of one status, whose name contains a text
    (any case), or both."""
    with uow:
        items, total = uow.accounts.list(
            firm_id, status=status, name_contains=name_contains, offset=offset, limit=limit
        )
        return AccountPage(items=items, total=total)


def request_account_sync(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    firm_id: int,
    external_id: str,
    now: datetime,
    *,
    customer_id: str | None = None,
    create: bool = False,
) -> Job:
    """Record a sync job and the Syncing status in one transaction, then hand the job over.

    By default the job links by display name; `customer_id` links to that QBO customer and
    `create` makes a new one (SPEC §2.4). The same sync already queued or running for the
    account is returned instead of a second one; a different one is a conflict. If the
    hand-over fails the job stays recorded and the relay sweep sends it later.
    """
    params: dict[str, object] = {}
    if customer_id is not None:
        params["customer_id"] = customer_id
    if create:
        params["create"] = True
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        if account is None:
            raise NotFoundError("account", external_id)
        assert account.id is not None
        active = uow.jobs.active_for("account", account.id)
        if active is not None:
            if active.kind is not JobKind.SYNC_ACCOUNT or active.params != params:
                raise ConflictError(
                    f"another {active.kind.value} job ({active.id}) is already queued or "
                    "running for this account; wait for it to finish"
                )
            return active
        job = start_sync_job(uow, account, now, params)
        uow.commit()
    publish_job(uow, dispatcher, job, now)
    return job


def start_sync_job(
    uow: UnitOfWork,
    account: Account,
    now: datetime,
    params: dict[str, object],
    cause: str = "sync requested",
) -> Job:
    """Record a sync job for the account and its move to Syncing; the caller commits."""
    assert account.id is not None
    job = Job(
        id=new_job_id(),
        firm_id=account.firm_id,
        kind=JobKind.SYNC_ACCOUNT,
        target_type="account",
        target_id=account.id,
        created_at=now,
        updated_at=now,
        params=params,
        # A sync by name joins the firm's lane, which runs settle many at a time.
        lane=None if params else Lane.SYNC_BY_NAME,
    )
    uow.jobs.add(job)
    uow.history.add(account.move_to(SyncStatus.SYNCING, at=now, cause=cause, job_id=job.id))
    return job


def publish_job(uow: UnitOfWork, dispatcher: JobDispatcher, job: Job, now: datetime) -> bool:
    """Send a committed job to the queue and note that it was sent; False if the broker failed."""
    try:
        dispatcher.dispatch(job)
    except Exception:  # any broker failure: the relay sweep sends the job later
        log.warning("job %s not handed to the queue; the relay will send it", job.id, exc_info=True)
        return False
    with uow:
        uow.jobs.mark_published(job.id, now)
        uow.commit()
    return True


def unsync_account(uow: UnitOfWork, firm_id: int, external_id: str, now: datetime) -> Account:
    """Do not sync: the account becomes Skipped, raises no errors and is pushed by no job.

    A sync job still running for it finishes, but its outcome leaves the account Skipped.
    """
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        if account is None:
            raise NotFoundError("account", external_id)
        if account.status is not SyncStatus.SKIPPED:
            uow.history.add(account.move_to(SyncStatus.SKIPPED, at=now, cause="sync turned off"))
            skip_invoices_with(uow, account, now)
            uow.commit()
        return account


def account_history(uow: UnitOfWork, firm_id: int, external_id: str) -> list[StatusChange]:
    """Every status change of one account, oldest first."""
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        if account is None:
            raise NotFoundError("account", external_id)
        assert account.id is not None
        return uow.history.for_record("account", account.id)


def account_summary(uow: UnitOfWork, firm_id: int) -> dict[SyncStatus, int]:
    """How many of the firm's accounts have each status (every status named, zeros too)."""
    with uow:
        counts = uow.accounts.count_by_status(firm_id)
    return {status: counts.get(status, 0) for status in SyncStatus}
