"""Run a push job for an invoice: create, update or delete its QBO copy (SPEC §3).

Claimed with compare-and-set, QBO called with no transaction open, outcome written while the
lease holds (design/jobs.md). Every write carries a request id made from the job and the
step, so a job run twice writes once; a retried create of a numbered invoice first looks it
up by number, so a create whose answer was lost is adopted rather than made twice. A create
of a numbered invoice takes other queued creates of the firm along into one batch request
(core.services.push_invoice_batch).
Services map to QBO Service items (found by name, or created once), classes to classes and
locations to departments. A stale SyncToken is read afresh and the update sent again once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.domain.billing import Invoice
from core.domain.jobs import Job, request_id
from core.domain.qbo import STALE_SYNC_TOKEN, QboInvoice
from core.errors import NotConnectedError, QboError, QboFaultError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.invoice_push_steps import (
    PushRefusedError,
    adopt_lost_create,
    batchable,
    claim_push,
    invoice_draft,
    record_refusal,
    settle_unpushable,
    short_digest,
    update_copy,
)
from core.services.push_invoice_batch import claim_batch_siblings, run_batch
from core.services.push_runs import PushOutcome, QboCopy, record_pushed


def run_push_invoice(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Claim the job and bring the invoice's QBO copy up to date."""
    claimed = claim_push(uow, job_id, worker_id, clock())
    if claimed is None:
        return PushOutcome.NOT_CLAIMED
    job, invoice = claimed.job, claimed.invoice
    settled = settle_unpushable(uow, claimed, worker_id, clock())
    if settled is not None:
        return settled
    if batchable(claimed):
        siblings = claim_batch_siblings(uow, claimed, worker_id, clock())
        if siblings:
            return run_batch(uow, connect, dispatcher, [claimed, *siblings], worker_id, clock)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        qbo = connect(claimed.connection)
        if invoice.deleted_at is not None:
            copy = _delete(qbo, invoice, job, claimed.customer_id)
        else:
            assert claimed.customer_id is not None
            pushed = _write(qbo, invoice, claimed.customer_id, job)
            copy = QboCopy(pushed.id, pushed.sync_token)
    except (QboError, PushRefusedError, NotConnectedError) as exc:
        return record_refusal(uow, dispatcher, claimed, worker_id, clock(), exc)
    return record_pushed(uow, dispatcher, job, worker_id, clock(), invoice.version, copy)


def _write(qbo: Qbo, invoice: Invoice, customer_id: str, job: Job) -> QboInvoice:
    draft = invoice_draft(qbo, invoice, customer_id, job)
    qbo_id, sync_token = invoice.qbo_id, invoice.qbo_sync_token
    if qbo_id is None:
        # A retry may follow a create whose answer was lost, perhaps inside a batch.
        adopted = adopt_lost_create(qbo, invoice, customer_id) if job.attempts > 1 else None
        if adopted is None:
            return qbo.create_invoice(draft, request_id=request_id(job.id, "create-invoice"))
        qbo_id, sync_token = adopted.id, adopted.sync_token
    assert sync_token is not None
    try:
        return update_copy(qbo, qbo_id, sync_token, draft, job)
    except QboFaultError as exc:
        if exc.code != STALE_SYNC_TOKEN:
            raise
        current = qbo.get_invoice(qbo_id)  # someone edited it in QBO: update the latest
        if current is None:
            raise
        return update_copy(qbo, qbo_id, current.sync_token, draft, job)


def _delete(qbo: Qbo, invoice: Invoice, job: Job, customer_id: str | None) -> QboCopy:
    """Delete the QBO copy, unlinking its payments first as QBO requires.

    An invoice deleted while its first push was queued has no known copy: a create whose
    answer was lost may still have made one, found by its number; else there is nothing to
    delete. (It asserted a copy, and such pushes crashed until they ran out of attempts:
    found by qbsync bench chaos.)
    """
    qbo_id = invoice.qbo_id
    if qbo_id is None:
        lost = adopt_lost_create(qbo, invoice, customer_id) if customer_id else None
        if lost is None:
            return QboCopy(None, None)
        qbo_id = lost.id
    current = qbo.get_invoice(qbo_id)
    if current is None:
        return QboCopy(None, None)  # gone already: a retry after the delete went through
    for payment_id in current.linked_payment_ids:
        payment = qbo.get_payment(payment_id)
        if payment is not None:
            step = "unapply-" + short_digest(f"{payment_id}/{payment.sync_token}")
            qbo.unapply_payment(payment_id, payment.sync_token, request_id=request_id(job.id, step))
    current = qbo.get_invoice(qbo_id) or current
    qbo.delete_invoice(current.id, current.sync_token, request_id=request_id(job.id, "delete"))
    return QboCopy(None, None)
