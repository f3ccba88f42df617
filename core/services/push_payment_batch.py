"""Creating a firm's backlog of payments with QBO's batch endpoint (SPEC §3, design/jobs.md §7).

A push job that creates a new payment takes along the firm's other queued creates of payments
whose invoices QBO holds (up to QBO's 30 a batch) and sends them in one request. A payment has
no number to be found again by, so the batch is recorded before it is sent (core.domain.sends):
a member retried after a crash sends exactly that batch again, and QBO's answer to the
repeated request id is its first one, so nothing is created twice. A member whose earlier
attempt went singly goes singly again, with the request id it had then.
A batch is answered for good once one run has recorded every member's answer; until then
a member retried sends it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.domain.qbo import QboPayment, QboPaymentDraft, explain_push_error, sync_error
from core.domain.sends import QboSend, SendItem, new_send_id
from core.errors import NotConnectedError, QboBatchBudgetError, QboError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.payment_push_steps import (
    PaymentClaim,
    claim_payment_push,
    create_may_be_lost,
    payment_draft,
)
from core.services.push_runs import (
    PushOutcome,
    QboCopy,
    record_failed,
    record_pushed,
    record_transient,
)

BATCH = 30  # QBO's largest batch
PAYMENT = "payment"


def batchable(claimed: PaymentClaim) -> bool:
    """A first create of a payment whose invoice QBO holds."""
    payment = claimed.payment
    return (
        claimed.connection is not None
        and claimed.waits is None
        and payment.qbo_id is None
        and payment.deleted_at is None
        and not payment.up_to_date
    )


def run_payment_batch(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    lead: PaymentClaim,
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome | None:
    """Settle the lead's create in a batch request with the firm's other queued creates, or
    send its unanswered batch again; None when the lead goes singly."""
    send: QboSend | None = None
    if create_may_be_lost(lead):
        with uow:
            unanswered = uow.sends.unanswered_for([lead.job.id])
        if not unanswered:
            return None  # its earlier attempt went singly, or was answered: singly again
        send = unanswered[0]  # sent again even if the payment would wait now
        members = _take_over(uow, send, lead, worker_id, clock())
    elif not batchable(lead):
        return None
    else:
        members = [lead, *_siblings(uow, lead, worker_id, clock())]
        if len(members) == 1:
            return None
    outcomes = _Batch(uow, dispatcher, worker_id, clock).run(connect, members, send)
    return None if outcomes is None else outcomes[lead.job.id]


def _siblings(
    uow: UnitOfWork, lead: PaymentClaim, worker_id: str, now: datetime
) -> list[PaymentClaim]:
    """Claim other queued first creates of the firm's payments; any that turns out not to be
    one any more goes back to the queue untried."""
    with uow:
        job_ids = uow.payments.batchable_push_jobs(lead.job.firm_id, lead.job.id, now, BATCH - 1)
    siblings: list[PaymentClaim] = []
    back: list[PaymentClaim] = []
    for job_id in job_ids:
        sibling = claim_payment_push(uow, job_id, worker_id, now)
        if sibling is None:
            continue  # another worker took it
        (siblings if batchable(sibling) else back).append(sibling)
    if back:
        with uow:
            uow.jobs.release([s.job.id for s in back], worker_id, now)
            uow.commit()
    return siblings


def _take_over(
    uow: UnitOfWork, send: QboSend, lead: PaymentClaim, worker_id: str, now: datetime
) -> list[PaymentClaim]:
    """The lead, and the send's other jobs that no live worker holds."""
    members = [lead]
    for item in send.items:
        if item.job_id != lead.job.id:
            claimed = claim_payment_push(uow, item.job_id, worker_id, now)
            if claimed is not None:
                members.append(claimed)
    return members


class _Batch:
    """One batch request of payment creates, and each member's outcome."""

    def __init__(
        self,
        uow: UnitOfWork,
        dispatcher: JobDispatcher,
        worker_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._uow, self._dispatcher, self._worker_id, self._clock = (
            uow,
            dispatcher,
            worker_id,
            clock,
        )
        self.outcomes: dict[str, PushOutcome] = {}

    def run(
        self, connect: QboConnector, members: list[PaymentClaim], resent: QboSend | None
    ) -> dict[str, PushOutcome] | None:
        """Each member's outcome; None when the minute's batch requests are spent and the
        batch never left: the others go back to the queue, the lead goes singly."""
        by_job = {m.job.id: m for m in members}
        send = resent
        try:
            lead = members[0]
            if lead.connection is None:
                raise NotConnectedError()
            qbo = connect(lead.connection)
            if send is None:
                send = self._record_send(qbo, members)
            answers, answered = _ask(qbo, send)
        except QboBatchBudgetError as exc:
            if resent is not None:  # only this batch may carry them: it waits for the minute
                for member in members:
                    self._refuse(member, exc)
                return self.outcomes
            assert send is not None
            with self._uow:  # it never left: forget it
                self._uow.sends.discard(send.id)
                self._uow.jobs.release([m.job.id for m in members[1:]], self._worker_id,
                                       self._clock())  # fmt: skip
                self._uow.commit()
            return None
        except (QboError, NotConnectedError) as exc:
            for member in members:
                self._refuse(member, exc)
            return self.outcomes
        for item in send.items:
            held = by_job.get(item.job_id)
            if held is None:
                continue  # another worker holds it: it settles it from the same answer
            member = held
            answer = answers[item.bid]
            if isinstance(answer, QboPayment):
                copy = QboCopy(answer.id, answer.sync_token)
                self.outcomes[member.job.id] = record_pushed(
                    self._uow, self._dispatcher, member.job, self._worker_id, self._clock(),
                    member.payment.version, copy,
                )  # fmt: skip
            else:
                self._refuse(member, answer)
        # Answered for good only once this run recorded every member's outcome: a member
        # another worker holds (held when the batch went, or taken over since, its lease
        # lapsed) settles from that worker's answer, and if that worker's resend fails on the
        # way, the member's retry must send this batch again (QBO answers it as the first
        # time), not create its payment anew (both found by qbsync bench chaos).
        recorded = [self.outcomes.get(item.job_id) for item in send.items]
        if answered and None not in recorded and PushOutcome.LEASE_LOST not in recorded:
            with self._uow:
                self._uow.sends.answered(send.id, self._clock())
                self._uow.commit()
        return self.outcomes

    def _record_send(self, qbo: Qbo, members: list[PaymentClaim]) -> QboSend:
        """The batch of the members' creates, recorded before it is sent."""
        methods: dict[str, str | None] = {}
        items = tuple(
            SendItem(m.job.id, str(m.payment.id), _to_json(payment_draft(qbo, m, methods)))
            for m in members
        )
        send_id = new_send_id()
        send = QboSend(
            id=send_id, firm_id=members[0].job.firm_id, entity=PAYMENT, request_id=send_id,
            batch=True, created_at=self._clock(), items=items,
        )  # fmt: skip
        with self._uow:
            self._uow.sends.add(send)
            self._uow.commit()
        return send

    def _refuse(self, member: PaymentClaim, refusal: Exception) -> None:
        job, now = member.job, self._clock()
        if isinstance(refusal, QboTransientError):  # paced ones spend no attempt
            outcome = record_transient(self._uow, job, self._worker_id, now, refusal)
        elif isinstance(refusal, QboError):
            error = explain_push_error(refusal, "payment")
            outcome = record_failed(self._uow, job, self._worker_id, now, error)
        else:
            error = sync_error(str(refusal), "not_connected")
            outcome = record_failed(self._uow, job, self._worker_id, now, error)
        self.outcomes[job.id] = outcome


def _ask(qbo: Qbo, send: QboSend) -> tuple[dict[str, QboPayment | QboError], bool]:
    """Send exactly the recorded batch; each bId's answer, and whether QBO answered at all
    (a request that failed on the way may have been carried out: it is sent again later)."""
    drafts = [(item.bid, _from_json(item.draft)) for item in send.items]
    try:
        return qbo.create_payments_in_batch(drafts, request_id=send.request_id), True
    except QboBatchBudgetError:
        raise
    except QboTransientError as exc:
        return {bid: exc for bid, _ in drafts}, False


def _to_json(draft: QboPaymentDraft) -> dict[str, Any]:
    return {
        "customer_id": draft.customer_id,
        "total_amt": str(draft.total_amt),
        "invoice_id": draft.invoice_id,
        "txn_date": None if draft.txn_date is None else draft.txn_date.isoformat(),
        "payment_method_id": draft.payment_method_id,
        "private_note": draft.private_note,
    }


def _from_json(data: dict[str, Any]) -> QboPaymentDraft:
    txn_date = data["txn_date"]
    return QboPaymentDraft(
        customer_id=data["customer_id"],
        total_amt=Decimal(data["total_amt"]),
        invoice_id=data["invoice_id"],
        txn_date=None if txn_date is None else date.fromisoformat(txn_date),
        payment_method_id=data["payment_method_id"],
        private_note=data["private_note"],
    )
