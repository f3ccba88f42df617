"""When an invoice or a payment goes to QBO (SPEC §3), and the jobs that take it there.

An invoice is pushed once its account is Synced and it is not dated before the firm's
`sync_invoices_from`; a payment once its invoice is Synced and the payment is to be synced
(its own `sync`, else the firm's `sync_manual_payments`). A record that waits stays Not
synced and is queued the moment what it waits for happens. Each push job brings the QBO copy
up to date with the record's latest version (create, sparse update or delete). The queue
functions here record the job and the move to Syncing; the caller commits and then publishes.
"""

from __future__ import annotations

from datetime import datetime

from core.domain.billing import Invoice, Payment
from core.domain.jobs import Job, JobKind, new_job_id
from core.domain.settings import FirmSettings
from core.domain.status import SyncStatus
from core.errors import ConflictError
from core.ports import UnitOfWork

_KINDS = {"invoice": JobKind.PUSH_INVOICE, "payment": JobKind.PUSH_PAYMENT}


def invoice_waits_for(uow: UnitOfWork, invoice: Invoice, settings: FirmSettings) -> str | None:
    """Why the invoice cannot be pushed now, or None when it can."""
    account = uow.accounts.get_by_id(invoice.account_id)
    assert account is not None
    if account.status is not SyncStatus.SYNCED or account.qbo_customer_id is None:
        return f"its account {account.external_id!r} is not synced to QuickBooks"
    cutoff = settings.sync_invoices_from
    if cutoff is not None and invoice.issued_on is not None and invoice.issued_on < cutoff:
        return f"it is dated before {cutoff.isoformat()}, the firm's sync_invoices_from"
    return None


def payment_waits_for(uow: UnitOfWork, payment: Payment) -> str | None:
    """Why the payment cannot be pushed now, or None when it can."""
    invoice = uow.invoices.get_by_id(payment.invoice_id)
    assert invoice is not None
    if invoice.status is not SyncStatus.SYNCED or invoice.qbo_id is None:
        return f"its invoice {invoice.external_id!r} is not synced to QuickBooks"
    return None


def payment_is_synced(payment: Payment, settings: FirmSettings) -> bool:
    """Whether the payment goes to QBO at all: its own choice, else the firm's setting."""
    return settings.sync_manual_payments if payment.sync is None else payment.sync


def queue_invoice_push(
    uow: UnitOfWork, invoice: Invoice, now: datetime, *, cause: str, explicit: bool = False
) -> Job | None:
    """Queue the invoice's push if it can go and QBO lacks its latest version.

    An automatic push (`explicit=False`) leaves a Skipped invoice alone and quietly waits
    for what it lacks; an explicit one (an admin's sync) turns a Skipped invoice back on and
    is refused with the reason (ConflictError) when the invoice must wait.
    """
    if invoice.status is SyncStatus.SKIPPED and not explicit:
        return None
    waits = invoice_waits_for(uow, invoice, uow.settings.for_firm(invoice.firm_id))
    if waits is not None:
        if explicit:
            raise ConflictError(f"The invoice cannot be synced yet: {waits}.")
        return None
    return _queue(uow, invoice, now, cause, explicit)


def queue_payment_push(
    uow: UnitOfWork, payment: Payment, now: datetime, *, cause: str, explicit: bool = False
) -> Job | None:
    """Queue the payment's push as `queue_invoice_push` does for invoices."""
    if payment.status is SyncStatus.SKIPPED and not explicit:
        return None
    waits = payment_waits_for(uow, payment)
    if waits is not None:
        if explicit:
            raise ConflictError(f"The payment cannot be synced yet: {waits}.")
        return None
    return _queue(uow, payment, now, cause, explicit)


def _queue(
    uow: UnitOfWork, record: Invoice | Payment, now: datetime, cause: str, explicit: bool
) -> Job | None:
    assert record.id is not None
    active = uow.jobs.active_for(record.record_type, record.id)
    if active is not None:
        return active  # it pushes the latest version when it runs, or queues the next
    if record.up_to_date and not explicit:
        return None
    if record.deleted_at is not None and record.qbo_id is None:
        return None  # never reached QBO: nothing to delete there
    job = Job(
        id=new_job_id(),
        firm_id=record.firm_id,
        kind=_KINDS[record.record_type],
        target_type=record.record_type,
        target_id=record.id,
        created_at=now,
        updated_at=now,
    )
    uow.jobs.add(job)
    if record.status is not SyncStatus.SYNCING:
        uow.history.add(record.move_to(SyncStatus.SYNCING, at=now, cause=cause, job_id=job.id))
    return job
