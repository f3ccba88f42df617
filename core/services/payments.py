"""Payments as the firm's system sends them, and the requests to sync them (SPEC §3).

A payment goes to QBO once its invoice is Synced, unless it is not to be synced at all: its
own `sync`, else the firm's `sync_manual_payments` (core.services.pushes.payment_is_synced).
One that is not to be synced is Skipped, with the reason in its history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.domain.billing import Invoice, Payment
from core.domain.jobs import Job
from core.domain.records import StatusChange
from core.domain.status import SyncStatus
from core.errors import ConflictError, InvalidValueError, NotFoundError, UnknownRecordsError
from core.ports import JobDispatcher, UnitOfWork
from core.services import pushes
from core.services.billing_records import (
    TURNED_OFF,
    every_status,
    hand_over,
    mark_deleted,
    queue_push,
    turn_off,
)

NOT_SYNCED_BY_REQUEST = "not synced: the request said sync=false"
NOT_SYNCED_BY_FIRM = "not synced: the firm does not sync payments recorded by hand"


@dataclass(frozen=True)
class PaymentContent:
    """A payment as the firm's system describes it."""

    invoice_external_id: str
    amount: Decimal
    paid_on: date
    method: str | None = None
    sync: bool | None = None  # None follows the firm's sync_manual_payments


@dataclass(frozen=True)
class PaymentView:
    """A payment with the firm's own id of its invoice."""

    payment: Payment
    invoice_external_id: str


@dataclass(frozen=True)
class PaymentPage:
    items: Sequence[PaymentView]
    total: int


def put_payment(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    firm_id: int,
    external_id: str,
    content: PaymentContent,
    now: datetime,
) -> tuple[PaymentView, bool]:
    """Create or update a payment; return it and whether it was created.

    The payment must name a live invoice of the firm and be no larger than its total. Content
    equal to what is stored changes nothing. A change bumps the version; then a payment that is
    not to be synced becomes Skipped, and any other is queued when its invoice is Synced. A
    payment moves to another invoice only while it has never reached QBO.
    """
    job: Job | None = None
    new = False
    with uow:
        # Locked, so that a push settling the invoice meanwhile either commits first (this
        # sees it Synced and queues the payment's push) or waits and then reads this payment.
        invoice = _live_invoice(uow, firm_id, content.invoice_external_id, for_update=True)
        if content.amount > invoice.total:
            raise InvalidValueError(
                "amount",
                f"The payment ({content.amount}) is more than its invoice's total "
                f"({invoice.total}).",
            )
        assert invoice.id is not None
        payment = uow.payments.get(firm_id, external_id)
        created = payment is None
        if payment is None:
            payment = Payment(
                firm_id=firm_id, external_id=external_id, created_at=now, updated_at=now
            )
            _write(payment, invoice.id, content)
            uow.payments.add(payment)
            cause = "payment created"
        else:
            current = uow.invoices.get_by_id(payment.invoice_id)
            assert current is not None
            _check_changeable(payment, current, invoice)
            if _content_of(payment, current) == content:
                return PaymentView(payment, current.external_id), False
            settings = uow.settings.for_firm(firm_id)
            was_synced = pushes.payment_is_synced(payment, settings)
            _write(payment, invoice.id, content)
            if not was_synced and pushes.payment_is_synced(payment, settings):
                _turn_back_on(uow, payment, now)
            payment.version += 1
            payment.updated_at = now
            cause = "payment changed"
        uow.flush()  # the payment's id, for its job and history
        if pushes.payment_is_synced(payment, uow.settings.for_firm(firm_id)):
            job, new = queue_push(uow, payment, now, cause=cause)
        else:
            turn_off(uow, payment, now, _why_not_synced(payment))
        uow.commit()
    if job is not None and new:
        hand_over(uow, dispatcher, [job], now)
    return PaymentView(payment, invoice.external_id), created


def _turn_back_on(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """The firm's system now wants the payment synced: it leaves Skipped to be queued."""
    if payment.status is SyncStatus.SKIPPED:
        uow.history.add(
            payment.move_to(SyncStatus.NOT_SYNCED, at=now, cause="its sync was turned on")
        )


def get_payment(uow: UnitOfWork, firm_id: int, external_id: str) -> PaymentView:
    """One payment of the firm (deleted ones are gone), or NotFoundError."""
    with uow:
        return _view(uow, _live(uow, firm_id, external_id))


def list_payments(
    uow: UnitOfWork,
    firm_id: int,
    *,
    status: SyncStatus | None,
    invoice_external_id: str | None,
    offset: int,
    limit: int,
) -> PaymentPage:
    """A page of the firm's payments, oldest first, filtered; an unknown invoice is refused."""
    with uow:
        invoice_id = None
        if invoice_external_id is not None:
            invoice_id = _live_invoice(uow, firm_id, invoice_external_id).id
        items, total = uow.payments.list(
            firm_id, status=status, invoice_id=invoice_id, offset=offset, limit=limit
        )
        invoices = uow.invoices.external_ids(sorted({p.invoice_id for p in items}))
        views = [PaymentView(p, invoices[p.invoice_id]) for p in items]
        return PaymentPage(items=views, total=total)


def payment_summary(uow: UnitOfWork, firm_id: int) -> dict[SyncStatus, int]:
    """How many of the firm's payments (deleted ones left out) have each status."""
    with uow:
        return every_status(uow.payments.count_by_status(firm_id))


def delete_payment(
    uow: UnitOfWork, dispatcher: JobDispatcher, firm_id: int, external_id: str, now: datetime
) -> None:
    """Mark the payment deleted and queue the delete of its QBO copy, if it has one."""
    with uow:
        payment = _live(uow, firm_id, external_id)
        mark_deleted(payment, now)
        job, new = queue_push(uow, payment, now, cause="payment deleted")
        uow.commit()
    if job is not None and new:
        hand_over(uow, dispatcher, [job], now)


def request_payment_sync(
    uow: UnitOfWork, dispatcher: JobDispatcher, firm_id: int, external_id: str, now: datetime
) -> Job:
    """An admin's sync: queue the push even of a Skipped or up-to-date payment.

    Refused (ConflictError, with the reason) while its invoice is not Synced. A push already
    queued or running is returned as it is.
    """
    with uow:
        payment = _live(uow, firm_id, external_id)
        job, new = queue_push(uow, payment, now, cause="sync requested", explicit=True)
        if job is None:
            raise ConflictError("The payment has nothing to sync.")
        uow.commit()
    if new:
        hand_over(uow, dispatcher, [job], now)
    return job


def unsync_payment(uow: UnitOfWork, firm_id: int, external_id: str, now: datetime) -> PaymentView:
    """Do not sync: the payment becomes Skipped; nothing is deleted in QBO."""
    with uow:
        payment = _live(uow, firm_id, external_id)
        turn_off(uow, payment, now, TURNED_OFF)
        uow.commit()
        return _view(uow, payment)


def payment_history(uow: UnitOfWork, firm_id: int, external_id: str) -> list[StatusChange]:
    """Every status change of one payment, oldest first."""
    with uow:
        payment = _live(uow, firm_id, external_id)
        assert payment.id is not None
        return uow.history.for_record("payment", payment.id)


def _live(uow: UnitOfWork, firm_id: int, external_id: str) -> Payment:
    payment = uow.payments.get(firm_id, external_id)
    if payment is None or payment.deleted_at is not None:
        raise NotFoundError("payment", external_id)
    return payment


def _live_invoice(
    uow: UnitOfWork, firm_id: int, external_id: str, *, for_update: bool = False
) -> Invoice:
    """The invoice a request names; unknown or deleted is the request's fault (HTTP 422).
    `for_update` locks it (see put_payment)."""
    invoice = uow.invoices.get(firm_id, external_id, for_update=for_update)
    if invoice is None or invoice.deleted_at is not None:
        raise UnknownRecordsError("invoice", "invoice_id", [external_id])
    return invoice


def _check_changeable(payment: Payment, current: Invoice, target: Invoice) -> None:
    if payment.deleted_at is not None:
        raise ConflictError(
            f"The payment {payment.external_id!r} was deleted; it cannot be changed. "
            "Send the payment under a new id."
        )
    if target.id != current.id and payment.qbo_id is not None:
        raise ConflictError(
            f"The payment is in QuickBooks against invoice {current.external_id!r}; it cannot "
            f"move to invoice {target.external_id!r}. Delete it and send it under a new id."
        )


def _content_of(payment: Payment, invoice: Invoice) -> PaymentContent:
    assert payment.paid_on is not None
    return PaymentContent(
        invoice_external_id=invoice.external_id,
        amount=payment.amount,
        paid_on=payment.paid_on,
        method=payment.method,
        sync=payment.sync,
    )


def _write(payment: Payment, invoice_id: int, content: PaymentContent) -> None:
    payment.invoice_id = invoice_id
    payment.amount = content.amount
    payment.paid_on = content.paid_on
    payment.method = content.method
    payment.sync = content.sync


def _why_not_synced(payment: Payment) -> str:
    return NOT_SYNCED_BY_REQUEST if payment.sync is False else NOT_SYNCED_BY_FIRM


def _view(uow: UnitOfWork, payment: Payment) -> PaymentView:
    invoice = uow.invoices.get_by_id(payment.invoice_id)
    assert invoice is not None
    return PaymentView(payment, invoice.external_id)
