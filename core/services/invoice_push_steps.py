"""The steps of an invoice push that one job and a batch of them share (SPEC §3).

Claiming a push, ending one that cannot go, turning a refusal into the record's outcome, and
building the QBO draft: services map to QBO Service items (found by name, or created once),
classes to classes and locations to departments. A numbered invoice QBO already holds for the
same customer (a create whose answer was lost) is adopted rather than made twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.domain.billing import Invoice
from core.domain.jobs import Job, request_id
from core.domain.qbo import (
    QboInvoice,
    QboInvoiceDraft,
    QboInvoiceLine,
    explain_push_error,
    sync_error,
)
from core.domain.records import QboConnection
from core.errors import NotConnectedError, QboError, QboFaultError, QboTransientError
from core.ports import JobDispatcher, Qbo, UnitOfWork
from core.services.customer_links import add_check_jobs
from core.services.job_runs import gave_up_error
from core.services.push_runs import (
    Pushed,
    PushOutcome,
    record_failed,
    record_transient,
    record_waiting,
)
from core.services.pushes import invoice_waits_for

# QBO's answer to a reference it cannot use: an inactive customer or item (qbo/README.md).
INACTIVE_REFERENCE = frozenset({"610", "2500"})


class PushRefusedError(Exception):
    """The invoice cannot be pushed as it is; `error` says what the bookkeeper can do."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["message"])
        self.error = error


@dataclass(frozen=True)
class Claimed:
    job: Job
    invoice: Invoice  # as it was when claimed
    customer_id: str | None
    connection: QboConnection | None
    waits: str | None  # why it cannot go yet


def claim_push(uow: UnitOfWork, job_id: str, worker_id: str, now: datetime) -> Claimed | None:
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
        claimed = Claimed(
            job=job,
            invoice=invoice,
            customer_id=account.qbo_customer_id,
            connection=uow.connections.for_firm(job.firm_id),
            waits=waits,
        )
        uow.commit()
        return claimed


def settle_unpushable(
    uow: UnitOfWork, claimed: Claimed, worker_id: str, now: datetime
) -> PushOutcome | None:
    """End a job whose invoice cannot be pushed at all now; None when it can."""
    gave_up = gave_up_error(claimed.job)
    if gave_up is not None:
        return record_failed(uow, claimed.job, worker_id, now, gave_up)
    if claimed.waits is not None:
        return record_waiting(uow, claimed.job, worker_id, now, claimed.waits)
    if claimed.connection is None:
        error = sync_error(str(NotConnectedError()), "not_connected")
        return record_failed(uow, claimed.job, worker_id, now, error)
    return None


def record_refusal(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    claimed: Claimed,
    worker_id: str,
    now: datetime,
    refusal: Exception,
) -> PushOutcome:
    """End the job after QBO, or qbsync, refused the push: retry, or Failed with the reason."""
    job = claimed.job
    if isinstance(refusal, QboTransientError):
        return record_transient(uow, job, worker_id, now, refusal)
    if isinstance(refusal, QboError):
        inactive = isinstance(refusal, QboFaultError) and refusal.code in INACTIVE_REFERENCE
        error = explain_push_error(refusal, "invoice")
        check = check_account if inactive else None
        return record_failed(uow, job, worker_id, now, error, check, dispatcher)
    if isinstance(refusal, PushRefusedError):
        return record_failed(uow, job, worker_id, now, refusal.error)
    return record_failed(uow, job, worker_id, now, sync_error(str(refusal), "not_connected"))


def batchable(claimed: Claimed) -> bool:
    """A create of a numbered invoice: a lost answer is found again by its number."""
    invoice = claimed.invoice
    return invoice.qbo_id is None and invoice.number is not None and invoice.deleted_at is None


def invoice_draft(
    qbo: Qbo,
    invoice: Invoice,
    customer_id: str,
    job: Job,
    known_items: dict[str, str] | None = None,
) -> QboInvoiceDraft:
    """The invoice as QBO takes it; `known_items` keeps the items found across a batch."""
    items = {} if known_items is None else known_items
    for name in dict.fromkeys(line.service for line in invoice.lines):
        if name not in items:
            items[name] = _item_id(qbo, name, job)
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
    step = "item-" + short_digest(service)
    try:
        return qbo.create_service_item(service, request_id=request_id(job.id, step))
    except QboFaultError:
        found = qbo.find_item_id(service)  # another job created it first: use that one
        if found is None:
            raise
        return found


def short_digest(text: str) -> str:
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


def adopt_lost_create(qbo: Qbo, invoice: Invoice, customer_id: str) -> QboInvoice | None:
    """The QBO invoice an earlier, lost create made for this one: same number and customer."""
    if invoice.number is None:
        return None
    return _earliest_copy(qbo.find_invoices_by_doc_number(invoice.number), invoice, customer_id)


def adopt_lost_creates(qbo: Qbo, claims: Sequence[Claimed]) -> dict[str, QboInvoice]:
    """adopt_lost_create for a batch's retried members at once: one query for their numbers,
    not one each (each retried member's own lookup spent the company's minute: bench chaos);
    the adopted copies by job id."""
    numbered = [c for c in claims if c.invoice.number is not None and c.customer_id is not None]
    if not numbered:
        return {}
    found = qbo.find_invoices_by_doc_numbers(sorted({str(c.invoice.number) for c in numbered}))
    adopted = {c.job.id: _earliest_copy(found, c.invoice, str(c.customer_id)) for c in numbered}
    return {job_id: copy for job_id, copy in adopted.items() if copy is not None}


def _earliest_copy(
    found: Sequence[QboInvoice], invoice: Invoice, customer_id: str
) -> QboInvoice | None:
    """Of the QBO invoices found, the first made for `invoice`: its number, its customer."""
    same = [i for i in found if i.doc_number == invoice.number and i.customer_id == customer_id]
    return min(same, key=lambda i: int(i.id)) if same else None


def update_copy(
    qbo: Qbo, qbo_id: str, sync_token: str, draft: QboInvoiceDraft, job: Job
) -> QboInvoice:
    step = f"update-{sync_token}"  # one request id per version of the QBO invoice
    return qbo.update_invoice(qbo_id, sync_token, draft, request_id=request_id(job.id, step))


def check_account(uow: UnitOfWork, pushed: Pushed) -> list[Job]:
    """QBO refused a reference: if it is the customer, the account's link is checked."""
    assert isinstance(pushed, Invoice)
    account = uow.accounts.get_by_id(pushed.account_id)
    assert account is not None
    return add_check_jobs(uow, [account], pushed.updated_at)
