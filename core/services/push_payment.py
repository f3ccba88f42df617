"""Run a push job for a payment: create, replace or delete its QBO copy (SPEC §3).

A payment goes to QBO once its invoice is Synced, as a QBO Payment applied to that invoice
and deposited to Undeposited Funds (QBO's default, so none is named). A payment the firm
changes after its push is replaced: the QBO copy is deleted and the new version created,
each step with its own request id, so a job run twice writes once. The payment's method is
QBO's payment method of that name where the company has one, else a note on the payment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.domain.billing import Payment
from core.domain.jobs import Job, request_id
from core.domain.qbo import STALE_SYNC_TOKEN, explain_push_error, sync_error
from core.errors import NotConnectedError, QboFaultError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.job_runs import gave_up_error
from core.services.payment_push_steps import (
    PaymentClaim,
    claim_payment_push,
    create_may_be_lost,
    payment_draft,
)
from core.services.push_payment_batch import run_payment_batch
from core.services.push_runs import (
    PushOutcome,
    QboCopy,
    record_failed,
    record_pushed,
    record_transient,
    record_waiting,
)


def run_push_payment(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Claim the job and bring the payment's QBO copy up to date; a new payment's create
    takes the firm's other queued creates along into one batch request."""
    claimed = claim_payment_push(uow, job_id, worker_id, clock())
    if claimed is None:
        return PushOutcome.NOT_CLAIMED
    return push_claimed_payment(uow, connect, dispatcher, claimed, worker_id, clock)


def push_claimed_payment(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    claimed: PaymentClaim,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Bring a claimed payment's QBO copy up to date: in a batch request, or alone."""
    batched = run_payment_batch(uow, connect, dispatcher, claimed, worker_id, clock)
    if batched is not None:
        return batched
    return _push_alone(uow, connect, dispatcher, claimed, worker_id, clock)


def _push_alone(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    claimed: PaymentClaim,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Bring a claimed payment's QBO copy up to date with calls of its own."""
    job, payment = claimed.job, claimed.payment
    gave_up = gave_up_error(job)
    if gave_up is not None:
        return record_failed(uow, job, worker_id, clock(), gave_up)
    if claimed.waits is not None and not _resends_its_create(claimed):
        return record_waiting(uow, job, worker_id, clock(), claimed.waits)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        if payment.up_to_date:  # an explicit sync of what QBO holds already
            copy = QboCopy(payment.qbo_id, payment.qbo_sync_token)
        else:
            qbo = connect(claimed.connection)
            _delete_old(qbo, payment, job)
            copy = QboCopy(None, None) if payment.deleted_at else _create(qbo, claimed)
    except QboTransientError as exc:
        return record_transient(uow, job, worker_id, clock(), exc)
    except QboFaultError as exc:
        error = explain_push_error(exc, "payment")
        return record_failed(uow, job, worker_id, clock(), error)
    except NotConnectedError as exc:
        error = sync_error(str(exc), "not_connected")
        return record_failed(uow, job, worker_id, clock(), error)
    return record_pushed(uow, dispatcher, job, worker_id, clock(), payment.version, copy)


def _resends_its_create(claimed: PaymentClaim) -> bool:
    """An earlier attempt's create may have reached QBO, and the payment can be drafted
    again as it was: its invoice and customer are in QBO (see create_may_be_lost)."""
    has_draft = claimed.invoice_qbo_id is not None and claimed.customer_id is not None
    return create_may_be_lost(claimed) and has_draft


def _delete_old(qbo: Qbo, payment: Payment, job: Job) -> None:
    """Delete the QBO copy of an earlier version (or of a deleted payment), if there is one."""
    if payment.qbo_id is None:
        return
    for attempt in (1, 2):
        current = qbo.get_payment(payment.qbo_id)
        if current is None:
            return  # gone already: a retry after the delete went through
        step = f"delete-{current.sync_token}"  # one request id per version of the QBO payment
        try:
            qbo.delete_payment(current.id, current.sync_token, request_id=request_id(job.id, step))
            return
        except QboFaultError as exc:
            # Its invoice's delete unapplies it meanwhile, which bumps its SyncToken: read again.
            if exc.code != STALE_SYNC_TOKEN or attempt == 2:
                raise


def _create(qbo: Qbo, claimed: PaymentClaim) -> QboCopy:
    draft = payment_draft(qbo, claimed)
    step = f"create-v{claimed.payment.version}"
    created = qbo.create_payment(draft, request_id=request_id(claimed.job.id, step))
    return QboCopy(created.id, created.sync_token)
