"""Invoices as the firm's system sends them, and the requests to sync them (SPEC §3).

The services record and queue; the push jobs bring QBO up to date. Every write commits the
record, its history and its job together, then hands the job over (core.services.pushes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.domain.billing import Invoice, InvoiceLine
from core.domain.jobs import Job
from core.domain.records import Account, StatusChange
from core.domain.status import SyncStatus
from core.errors import ConflictError, NotFoundError, UnknownRecordsError
from core.ports import JobDispatcher, UnitOfWork
from core.services.billing_records import (
    TURNED_OFF,
    every_status,
    hand_over,
    mark_deleted,
    queue_push,
    turn_off,
)


@dataclass(frozen=True)
class InvoiceContent:
    """An invoice as the firm's system describes it; its money already checked to add up."""

    account_external_id: str
    issued_on: date
    lines: tuple[InvoiceLine, ...]
    total: Decimal
    number: str | None = None
    due_on: date | None = None
    class_name: str | None = None
    location_name: str | None = None


@dataclass(frozen=True)
class InvoiceView:
    """An invoice with the firm's own ids of its account and of its payments."""

    invoice: Invoice
    account_external_id: str
    payment_external_ids: Sequence[str]


@dataclass(frozen=True)
class InvoicePage:
    items: Sequence[InvoiceView]
    total: int


def put_invoice(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    firm_id: int,
    external_id: str,
    content: InvoiceContent,
    now: datetime,
) -> tuple[InvoiceView, bool]:
    """Create or update an invoice; return it and whether it was created.

    Content equal to what is stored changes nothing (no new version, no job). A change bumps
    the version and queues the push when the invoice can go (its account is synced, it is
    not dated before `sync_invoices_from`, it is not Skipped). An invoice moves to another
    account only while it has never reached QBO; a deleted invoice cannot be changed.
    """
    job: Job | None = None
    with uow:
        # Locked, so that a sync settling the account meanwhile either commits first (this
        # sees it Synced and queues the push) or waits and then reads this invoice.
        account = uow.accounts.get(firm_id, content.account_external_id, for_update=True)
        if account is None:
            raise UnknownRecordsError("account", "account_id", [content.account_external_id])
        assert account.id is not None
        invoice = uow.invoices.get(firm_id, external_id)
        created = invoice is None
        if invoice is None:
            invoice = Invoice(
                firm_id=firm_id, external_id=external_id, created_at=now, updated_at=now
            )
            _write(invoice, account.id, content)
            uow.invoices.add(invoice)
            cause = "invoice created"
        else:
            current = uow.accounts.get_by_id(invoice.account_id)
            assert current is not None
            _check_changeable(invoice, current, account)
            if _content_of(invoice, current) == content:
                return _view(uow, invoice), False
            _write(invoice, account.id, content)
            invoice.version += 1
            invoice.updated_at = now
            cause = "invoice changed"
        uow.flush()  # the invoice's id, for its job and history
        job, new = queue_push(uow, invoice, now, cause=cause)
        uow.commit()
        view = _view(uow, invoice)
    if job is not None and new:
        hand_over(uow, dispatcher, [job], now)
    return view, created


def get_invoice(uow: UnitOfWork, firm_id: int, external_id: str) -> InvoiceView:
    """One invoice of the firm (deleted ones are gone), or NotFoundError."""
    with uow:
        return _view(uow, _live(uow, firm_id, external_id))


def list_invoices(
    uow: UnitOfWork,
    firm_id: int,
    *,
    status: SyncStatus | None,
    account_external_id: str | None,
    issued_from: date | None,
    issued_to: date | None,
    offset: int,
    limit: int,
) -> InvoicePage:
    """A page of the firm's invoices, oldest first, filtered; an unknown account is refused."""
    with uow:
        account_id = None
        if account_external_id is not None:
            account = uow.accounts.get(firm_id, account_external_id)
            if account is None:
                raise UnknownRecordsError("account", "account_id", [account_external_id])
            account_id = account.id
        items, total = uow.invoices.list(
            firm_id,
            status=status,
            account_id=account_id,
            issued_from=issued_from,
            issued_to=issued_to,
            offset=offset,
            limit=limit,
        )
        return InvoicePage(items=_views(uow, items), total=total)


def invoice_summary(uow: UnitOfWork, firm_id: int) -> dict[SyncStatus, int]:
    """How many of the firm's invoices (deleted ones left out) have each status."""
    with uow:
        return every_status(uow.invoices.count_by_status(firm_id))


def delete_invoice(
    uow: UnitOfWork, dispatcher: JobDispatcher, firm_id: int, external_id: str, now: datetime
) -> None:
    """Mark the invoice and its payments deleted, and queue the deletes of their QBO copies.

    The payments are queued first: QBO deletes an invoice only once its payments are gone.
    A record that never reached QBO, or is Skipped, gets no job.
    """
    jobs: list[Job] = []
    with uow:
        invoice = _live(uow, firm_id, external_id)
        assert invoice.id is not None
        for payment in uow.payments.for_invoice(invoice.id):
            if payment.deleted_at is None:
                mark_deleted(payment, now)
                jobs.extend(_new_job(queue_push(uow, payment, now, cause="invoice deleted")))
        mark_deleted(invoice, now)
        jobs.extend(_new_job(queue_push(uow, invoice, now, cause="invoice deleted")))
        uow.commit()
    hand_over(uow, dispatcher, jobs, now)


def request_invoice_sync(
    uow: UnitOfWork, dispatcher: JobDispatcher, firm_id: int, external_id: str, now: datetime
) -> Job:
    """An admin's sync: queue the push even of a Skipped or up-to-date invoice.

    Refused (ConflictError, with the reason) while the invoice must wait for its account or
    for `sync_invoices_from`. A push already queued or running is returned as it is.
    """
    with uow:
        invoice = _live(uow, firm_id, external_id)
        job, new = queue_push(uow, invoice, now, cause="sync requested", explicit=True)
        if job is None:
            raise ConflictError("The invoice has nothing to sync.")
        invoice.skipped_with_account = False
        uow.commit()
    if new:
        hand_over(uow, dispatcher, [job], now)
    return job


def unsync_invoice(uow: UnitOfWork, firm_id: int, external_id: str, now: datetime) -> InvoiceView:
    """Do not sync: the invoice becomes Skipped; nothing is deleted in QBO, its payments stay.

    An admin's choice outlasts its account's: syncing the account again leaves it Skipped.
    """
    with uow:
        invoice = _live(uow, firm_id, external_id)
        turn_off(uow, invoice, now, TURNED_OFF)
        invoice.skipped_with_account = False
        uow.commit()
        return _view(uow, invoice)


def invoice_history(uow: UnitOfWork, firm_id: int, external_id: str) -> list[StatusChange]:
    """Every status change of one invoice, oldest first."""
    with uow:
        invoice = _live(uow, firm_id, external_id)
        assert invoice.id is not None
        return uow.history.for_record("invoice", invoice.id)


def _live(uow: UnitOfWork, firm_id: int, external_id: str) -> Invoice:
    invoice = uow.invoices.get(firm_id, external_id)
    if invoice is None or invoice.deleted_at is not None:
        raise NotFoundError("invoice", external_id)
    return invoice


def _check_changeable(invoice: Invoice, current: Account, target: Account) -> None:
    if invoice.deleted_at is not None:
        raise ConflictError(
            f"The invoice {invoice.external_id!r} was deleted; it cannot be changed. "
            "Send the invoice under a new id."
        )
    if target.id != current.id and invoice.qbo_id is not None:
        raise ConflictError(
            f"The invoice is in QuickBooks under account {current.external_id!r}; it cannot "
            f"move to account {target.external_id!r}. Delete it and send it under a new id."
        )


def _content_of(invoice: Invoice, account: Account) -> InvoiceContent:
    assert invoice.issued_on is not None
    return InvoiceContent(
        account_external_id=account.external_id,
        issued_on=invoice.issued_on,
        lines=tuple(invoice.lines),
        total=invoice.total,
        number=invoice.number,
        due_on=invoice.due_on,
        class_name=invoice.class_name,
        location_name=invoice.location_name,
    )


def _write(invoice: Invoice, account_id: int, content: InvoiceContent) -> None:
    invoice.account_id = account_id
    invoice.number = content.number
    invoice.issued_on = content.issued_on
    invoice.due_on = content.due_on
    invoice.lines = content.lines
    invoice.total = content.total
    invoice.class_name = content.class_name
    invoice.location_name = content.location_name


def _new_job(queued: tuple[Job | None, bool]) -> list[Job]:
    job, new = queued
    return [job] if job is not None and new else []


def _view(uow: UnitOfWork, invoice: Invoice) -> InvoiceView:
    return _views(uow, [invoice])[0]


def _views(uow: UnitOfWork, invoices: Sequence[Invoice]) -> list[InvoiceView]:
    ids = [invoice.id for invoice in invoices if invoice.id is not None]
    accounts = uow.accounts.external_ids(sorted({invoice.account_id for invoice in invoices}))
    payments = uow.payments.live_external_ids_by_invoice(ids)
    return [
        InvoiceView(
            invoice=invoice,
            account_external_id=accounts[invoice.account_id],
            payment_external_ids=payments.get(invoice.id or 0, []),
        )
        for invoice in invoices
    ]
