"""Run a push job for an invoice: create, update or delete its QBO copy (SPEC §3).

Claimed with compare-and-set, QBO called with no transaction open, outcome written while the
lease holds (design/jobs.md). Every write carries a request id made from the job and the
step, so a job run twice writes once; an invoice with a number is also looked up by it
before a create, so a create whose answer was lost is adopted rather than made twice.
Services map to QBO Service items (found by name, or created once), classes to classes and
locations to departments. A stale SyncToken is read afresh and the update sent again once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.domain.billing import Invoice
from core.domain.jobs import Job, request_id
from core.domain.qbo import (
    STALE_SYNC_TOKEN,
    QboInvoice,
    QboInvoiceDraft,
    QboInvoiceLine,
    explain_push_error,
    sync_error,
)
from core.domain.records import QboConnection
from core.errors import NotConnectedError, QboFaultError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.customer_links import add_check_jobs
from core.services.job_runs import gave_up_error
from core.services.push_runs import (
    Pushed,
    PushOutcome,
    QboCopy,
    record_failed,
    record_pushed,
    record_transient,
    record_waiting,
)
from core.services.pushes import invoice_waits_for

log = logging.getLogger(__name__)

# QBO's answer to a reference it cannot use: an inactive customer or item (qbo/README.md).
INACTIVE_REFERENCE = frozenset({"610", "2500"})


class PushRefusedError(Exception):
    """The invoice cannot be pushed as it is; `error` says what the bookkeeper can do."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["message"])
        self.error = error


@dataclass(frozen=True)
class _Claimed:
    job: Job
    invoice: Invoice  # as it was when claimed
    customer_id: str | None
    connection: QboConnection | None
    waits: str | None  # why it cannot go yet


def run_push_invoice(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Claim the job and bring the invoice's QBO copy up to date."""
    claimed = _claim(uow, job_id, worker_id, clock())
    if claimed is None:
        return PushOutcome.NOT_CLAIMED
    job, invoice = claimed.job, claimed.invoice
    gave_up = gave_up_error(job)
    if gave_up is not None:
        return record_failed(uow, job, worker_id, clock(), gave_up)
    if claimed.waits is not None:
        return record_waiting(uow, job, worker_id, clock(), claimed.waits)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        qbo = connect(claimed.connection)
        if invoice.deleted_at is not None:
            copy = _delete(qbo, invoice, job)
        else:
            assert claimed.customer_id is not None
            pushed = _write(qbo, invoice, claimed.customer_id, job)
            copy = QboCopy(pushed.id, pushed.sync_token)
    except QboTransientError as exc:
        return record_transient(uow, job, worker_id, clock(), exc.as_record())
    except QboFaultError as exc:
        check = _check_account if exc.code in INACTIVE_REFERENCE else None
        error = explain_push_error(exc, "invoice")
        return record_failed(uow, job, worker_id, clock(), error, check, dispatcher)
    except PushRefusedError as exc:
        return record_failed(uow, job, worker_id, clock(), exc.error)
    except NotConnectedError as exc:
        error = sync_error(str(exc), "not_connected")
        return record_failed(uow, job, worker_id, clock(), error)
    return record_pushed(uow, dispatcher, job, worker_id, clock(), invoice.version, copy)


def _claim(uow: UnitOfWork, job_id: str, worker_id: str, now: datetime) -> _Claimed | None:
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        invoice = uow.invoices.get_by_id(job.target_id)
        assert invoice is not None
        account = uow.accounts.get_by_id(invoice.account_id)
        assert account is not None
        waits = None
        if invoice.deleted_at is None:
            waits = invoice_waits_for(uow, invoice, uow.settings.for_firm(job.firm_id))
        claimed = _Claimed(
            job=job,
            invoice=invoice,
            customer_id=account.qbo_customer_id,
            connection=uow.connections.for_firm(job.firm_id),
            waits=waits,
        )
        uow.commit()
        return claimed


def _write(qbo: Qbo, invoice: Invoice, customer_id: str, job: Job) -> QboInvoice:
    draft = _draft(qbo, invoice, customer_id, job)
    qbo_id, sync_token = invoice.qbo_id, invoice.qbo_sync_token
    if qbo_id is None:
        adopted = _adopt(qbo, invoice, customer_id)
        if adopted is None:
            return qbo.create_invoice(draft, request_id=request_id(job.id, "create-invoice"))
        qbo_id, sync_token = adopted.id, adopted.sync_token
    assert sync_token is not None
    try:
        return _update(qbo, qbo_id, sync_token, draft, job)
    except QboFaultError as exc:
        if exc.code != STALE_SYNC_TOKEN:
            raise
        current = qbo.get_invoice(qbo_id)  # someone edited it in QBO: update the latest
        if current is None:
            raise
        return _update(qbo, qbo_id, current.sync_token, draft, job)


def _update(qbo: Qbo, qbo_id: str, sync_token: str, draft: QboInvoiceDraft, job: Job) -> QboInvoice:
    step = f"update-{sync_token}"  # one request id per version of the QBO invoice
    return qbo.update_invoice(qbo_id, sync_token, draft, request_id=request_id(job.id, step))


def _adopt(qbo: Qbo, invoice: Invoice, customer_id: str) -> QboInvoice | None:
    """The QBO invoice an earlier, lost create made for this one: same number and customer."""
    if invoice.number is None:
        return None
    same = [
        i for i in qbo.find_invoices_by_doc_number(invoice.number) if i.customer_id == customer_id
    ]
    return min(same, key=lambda i: int(i.id)) if same else None


def _draft(qbo: Qbo, invoice: Invoice, customer_id: str, job: Job) -> QboInvoiceDraft:
    services = dict.fromkeys(line.service for line in invoice.lines)
    items = {name: _item_id(qbo, name, job) for name in services}
    class_id = _named(qbo.find_class_id, invoice.class_name, "class")
    department_id = _named(qbo.find_department_id, invoice.location_name, "location")
    lines = tuple(
        QboInvoiceLine(
            item_id=items[line.service],
            amount=line.amount,
            quantity=line.quantity,
            unit_price=line.rate,
            description=line.description,
            class_id=class_id,
        )
        for line in invoice.lines
    )
    return QboInvoiceDraft(
        customer_id=customer_id,
        lines=lines,
        doc_number=invoice.number,
        txn_date=invoice.issued_on,
        due_date=invoice.due_on,
        department_id=department_id,
    )


def _item_id(qbo: Qbo, service: str, job: Job) -> str:
    """The QBO item of a service: found by name, or created as a Service item once."""
    found = qbo.find_item_id(service)
    if found is not None:
        return found
    step = "item-" + _digest(service)
    try:
        return qbo.create_service_item(service, request_id=request_id(job.id, step))
    except QboFaultError:
        found = qbo.find_item_id(service)  # another job created it first: use that one
        if found is None:
            raise
        return found


def _digest(text: str) -> str:
    """A short, stable stand-in for `text` in a request id (QBO allows 50 characters)."""
    return hashlib.sha256(text.encode()).hexdigest()[:9]


def _named(find: Callable[[str], str | None], name: str | None, what: str) -> str | None:
    if name is None:
        return None
    found = find(name)
    if found is None:
        raise PushRefusedError(
            sync_error(
                f"QuickBooks has no active {what} named {name!r}: add it in QuickBooks, or "
                f"change the invoice's {what}, and sync it again.",
                f"{what}_not_found",
            )
        )
    return found


def _delete(qbo: Qbo, invoice: Invoice, job: Job) -> QboCopy:
    """Delete the QBO copy, unlinking its payments first as QBO requires."""
    assert invoice.qbo_id is not None
    current = qbo.get_invoice(invoice.qbo_id)
    if current is None:
        return QboCopy(None, None)  # gone already: a retry after the delete went through
    for payment_id in current.linked_payment_ids:
        payment = qbo.get_payment(payment_id)
        if payment is not None:
            step = "unapply-" + _digest(f"{payment_id}/{payment.sync_token}")
            qbo.unapply_payment(payment_id, payment.sync_token, request_id=request_id(job.id, step))
    current = qbo.get_invoice(invoice.qbo_id) or current
    qbo.delete_invoice(current.id, current.sync_token, request_id=request_id(job.id, "delete"))
    return QboCopy(None, None)


def _check_account(uow: UnitOfWork, pushed: Pushed) -> list[Job]:
    """QBO refused a reference: if it is the customer, the account's link is checked."""
    assert isinstance(pushed, Invoice)
    account = uow.accounts.get_by_id(pushed.account_id)
    assert account is not None
    return add_check_jobs(uow, [account], pushed.updated_at)
