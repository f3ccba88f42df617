"""The steps of a payment push that one job and a batch of them share: the claim, and the
payment as QBO takes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.domain.billing import Payment
from core.domain.jobs import Job
from core.domain.qbo import QboPaymentDraft
from core.domain.records import QboConnection
from core.ports import Qbo, UnitOfWork
from core.services.pushes import payment_waits_for


@dataclass(frozen=True)
class PaymentClaim:
    """A claimed payment push and what its run needs, read in the claim's transaction."""

    job: Job
    payment: Payment  # as it was when claimed
    customer_id: str | None
    invoice_qbo_id: str | None
    connection: QboConnection | None
    waits: str | None


def claim_payment_push(
    uow: UnitOfWork, job_id: str, worker_id: str, now: datetime
) -> PaymentClaim | None:
    """Claim one payment push (compare-and-set) and read what its run needs."""
    with uow:
        job = uow.jobs.claim(job_id, worker_id, now)
        if job is None:
            return None
        payment = uow.payments.get_by_id(job.target_id)
        assert payment is not None
        invoice = uow.invoices.get_by_id(payment.invoice_id)
        assert invoice is not None
        account = uow.accounts.get_by_id(invoice.account_id)
        assert account is not None
        claimed = PaymentClaim(
            job=job,
            payment=payment,
            customer_id=account.qbo_customer_id,
            invoice_qbo_id=invoice.qbo_id,
            connection=uow.connections.for_firm(job.firm_id),
            waits=None if payment.deleted_at else payment_waits_for(uow, payment),
        )
        uow.commit()
        return claimed


def create_may_be_lost(claimed: PaymentClaim) -> bool:
    """Whether an earlier attempt of the job may have created the payment in QBO without
    its answer reaching us: its retry sends that same request again (QBO answers a repeated
    request id with its first answer) even while the payment would wait now, for the
    payment's next job, with request ids of its own, would create it a second time (found
    by qbsync bench chaos)."""
    payment = claimed.payment
    return (
        claimed.job.attempts > 1
        and claimed.connection is not None
        and payment.qbo_id is None
        and payment.deleted_at is None
    )


def payment_draft(
    qbo: Qbo, claimed: PaymentClaim, known_methods: dict[str, str | None] | None = None
) -> QboPaymentDraft:
    """The payment as QBO takes it: its method QBO's of that name, else a note on it;
    `known_methods` keeps the methods found across a batch."""
    payment = claimed.payment
    assert claimed.customer_id is not None and claimed.invoice_qbo_id is not None
    methods = {} if known_methods is None else known_methods
    method_id = None
    if payment.method:
        if payment.method not in methods:
            methods[payment.method] = qbo.find_payment_method_id(payment.method)
        method_id = methods[payment.method]
    note = f"Method: {payment.method}" if payment.method and method_id is None else None
    return QboPaymentDraft(
        customer_id=claimed.customer_id,
        total_amt=payment.amount,
        invoice_id=claimed.invoice_qbo_id,
        txn_date=payment.paid_on,
        payment_method_id=method_id,
        private_note=note,
    )
