"""What an account's status change does to its invoices (SPEC §2.5, §3).

Turning an account off (Skipped) turns off its invoices too, remembering which ones went with
it; syncing the account again brings those back and queues every invoice that waited for the
link. Nothing is deleted in QBO by either. The caller commits, then publishes the jobs.
"""

from __future__ import annotations

from datetime import datetime

from core.domain.billing import Invoice
from core.domain.jobs import Job
from core.domain.records import Account
from core.domain.status import SyncStatus
from core.ports import UnitOfWork
from core.services.pushes import queue_invoice_push


def skip_invoices_with(uow: UnitOfWork, account: Account, now: datetime) -> None:
    """The account was turned off: its invoices are turned off with it."""
    assert account.id is not None
    for invoice in uow.invoices.for_account(account.id):
        if invoice.status is SyncStatus.SKIPPED or invoice.deleted_at is not None:
            continue
        invoice.skipped_with_account = True
        uow.history.add(
            invoice.move_to(SyncStatus.SKIPPED, at=now, cause="its account was turned off")
        )


def push_invoices_of(
    uow: UnitOfWork, account: Account, now: datetime, invoices: list[Invoice] | None = None
) -> list[Job]:
    """The account is linked: queue the invoices that waited for it, and bring back those
    that were turned off with it. `invoices` are the account's, when read already."""
    assert account.id is not None
    jobs = []
    for invoice in uow.invoices.for_account(account.id) if invoices is None else invoices:
        if invoice.status is SyncStatus.SKIPPED and invoice.skipped_with_account:
            invoice.skipped_with_account = False
            uow.history.add(
                invoice.move_to(SyncStatus.NOT_SYNCED, at=now, cause="its account is synced again")
            )
        job = queue_invoice_push(uow, invoice, now, cause="its account is synced")
        if job is not None:
            jobs.append(job)
    return jobs
