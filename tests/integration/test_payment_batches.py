"""A firm's backlog of payment creates goes to QBO in batch requests, each item's answer
recorded against its own payment, and a batch resent after a crash creates nothing twice
(SPEC §3, design/jobs.md §7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.bootstrap import Services
from core.domain.jobs import Job
from core.domain.status import SyncStatus
from core.errors import QboTransientError
from core.services.payment_push_steps import PaymentClaim, claim_payment_push
from core.services.push_invoice import run_push_invoice
from core.services.push_payment import push_claimed_payment, run_push_payment
from core.services.push_runs import PushOutcome, record_transient
from tests.billing import after_the_lease, linked_account, new_invoice, new_payment, stored
from tests.conftest import Firm, Sandbox
from tests.crashes import DiesAfter, ThenRuns, WorkerKilled
from tests.fakes import RecordingDispatcher


def run(services: Services, job: Job, connect: Any = None, clock: Any = None) -> PushOutcome:
    return run_push_payment(
        services.uow(), connect or services.qbo, RecordingDispatcher(), job.id, "w",
        clock or services.clock,
    )  # fmt: skip


@pytest.fixture
def backlog(services: Services, firm: Firm) -> list[tuple[int, Job]]:
    """Three payments of three invoices QBO holds, each queued for its push."""
    account_id = linked_account(services, firm, "acc", "Paying Client Ltd")
    queued = []
    for n in range(1, 4):
        invoice, invoice_job = new_invoice(services, firm, account_id, f"inv-{n}")
        assert invoice_job is not None and invoice.id is not None
        run_push_invoice(
            services.uow(), services.qbo, RecordingDispatcher(), invoice_job.id, "w",
            services.clock,
        )  # fmt: skip
        payment, job = new_payment(services, firm, invoice.id, f"pay-{n}", "80.00")
        assert job is not None and payment.id is not None
        queued.append((payment.id, job))
    return queued


def counted(sandbox: Sandbox, what: str) -> int:
    return sandbox.state.throttle.counters.of(sandbox.realm_id)[what]


def payments_in_qbo(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.state.query(sandbox.realm_id, "select * from Payment").get("Payment", [])


def test_one_job_takes_the_queued_payment_creates_along_in_one_batch(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    before, writes = counted(sandbox, "batches"), counted(sandbox, "writes")

    assert run(services, backlog[0][1]) is PushOutcome.SYNCED

    assert counted(sandbox, "batches") - before == 1
    assert counted(sandbox, "writes") - writes == 3  # the batch's three items, no call alone
    in_qbo = payments_in_qbo(sandbox)
    assert len(in_qbo) == 3
    for payment_id, job in backlog:
        pushed = stored(services, "payment", payment_id)
        assert (pushed.status, pushed.up_to_date) == (SyncStatus.SYNCED, True)
        assert pushed.qbo_id in {p["Id"] for p in in_qbo}
        assert run(services, job) is PushOutcome.NOT_CLAIMED  # its message finds it done


def test_a_payment_batch_resent_after_the_worker_died_creates_nothing_twice(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    with pytest.raises(WorkerKilled):
        run(services, backlog[0][1], connect=DiesAfter(services.qbo, "create_payments_in_batch"))
    assert len(payments_in_qbo(sandbox)) == 3  # QBO made them; qbsync never heard
    before = counted(sandbox, "batches")

    for _, job in reversed(backlog):  # the leases run out; each job runs again
        run(services, job, clock=after_the_lease)

    assert counted(sandbox, "batches") - before == 1  # the same batch, sent again
    assert len(payments_in_qbo(sandbox)) == 3
    qbo_ids = {stored(services, "payment", payment_id).qbo_id for payment_id, _ in backlog}
    assert qbo_ids == {p["Id"] for p in payments_in_qbo(sandbox)}


def test_a_member_whose_own_resend_failed_takes_its_answer_from_the_batch_not_a_new_create(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    # Found by qbsync bench chaos: two workers resent one batch; the one that got QBO's answer
    # recorded its own members and marked the batch answered, the other's resend failed on
    # the way, and its member, retried, went singly: a second payment in QBO.
    with pytest.raises(WorkerKilled):
        run(services, backlog[0][1], connect=DiesAfter(services.qbo, "create_payments_in_batch"))
    other = claim_payment_push(services.uow(), backlog[1][1].id, "w-b", after_the_lease())
    assert other is not None  # worker B holds the second member, its resend under way

    run(services, backlog[0][1], clock=after_the_lease)  # worker A resends, QBO answers
    failed_on_the_way = QboTransientError("connection reset", code="network")
    record_transient(services.uow(), other.job, "w-b", after_the_lease(), failed_on_the_way)
    run(services, backlog[1][1], clock=lambda: after_the_lease() + timedelta(minutes=10))

    assert len(payments_in_qbo(sandbox)) == 3
    qbo_ids = {stored(services, "payment", payment_id).qbo_id for payment_id, _ in backlog}
    assert qbo_ids == {p["Id"] for p in payments_in_qbo(sandbox)}


def test_a_payment_whose_batch_went_unanswered_sends_it_again_while_its_invoice_is_updated(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    # Found by qbsync bench chaos: the retried member waited for its invoice's update to be
    # pushed, its job ended, and the payment's next job created it in QBO a second time.
    with pytest.raises(WorkerKilled):
        run(services, backlog[0][1], connect=DiesAfter(services.qbo, "create_payments_in_batch"))
    invoice_id = stored(services, "payment", backlog[0][0]).invoice_id
    with services.uow() as uow:  # an edit of its invoice is on its way to QBO
        invoice = uow.invoices.get_by_id(invoice_id)
        assert invoice is not None
        invoice.status = SyncStatus.SYNCING
        uow.commit()

    for _, job in backlog:
        run(services, job, clock=after_the_lease)

    assert len(payments_in_qbo(sandbox)) == 3
    qbo_ids = {stored(services, "payment", payment_id).qbo_id for payment_id, _ in backlog}
    assert qbo_ids == {p["Id"] for p in payments_in_qbo(sandbox)}


def test_a_payment_whose_own_create_went_unanswered_sends_it_again_while_its_invoice_is_updated(
    services: Services, sandbox: Sandbox, firm: Firm
) -> None:
    # Found by qbsync bench chaos: a payment created with a call of its own, its answer lost
    # (a PaaS stop), waited on its retry for its invoice's update; its job ended, and the
    # payment's next job, with a request id of its own, created it in QBO a second time.
    account_id = linked_account(services, firm, "acc", "Paying Client Ltd")
    invoice, invoice_job = new_invoice(services, firm, account_id, "inv-1")
    assert invoice_job is not None and invoice.id is not None
    run_push_invoice(
        services.uow(), services.qbo, RecordingDispatcher(), invoice_job.id, "w", services.clock
    )
    payment, job = new_payment(services, firm, invoice.id, "pay-1", "80.00")
    assert job is not None and payment.id is not None
    with pytest.raises(WorkerKilled):
        run(services, job, connect=DiesAfter(services.qbo, "create_payment"))
    assert len(payments_in_qbo(sandbox)) == 1  # QBO made it; qbsync never heard
    with services.uow() as uow:  # an edit of its invoice is on its way to QBO
        editing = uow.invoices.get_by_id(invoice.id)
        assert editing is not None
        editing.status = SyncStatus.SYNCING
        uow.commit()

    assert run(services, job, clock=after_the_lease) is PushOutcome.SYNCED

    [in_qbo] = payments_in_qbo(sandbox)
    assert stored(services, "payment", payment.id).qbo_id == in_qbo["Id"]


def test_a_member_taken_over_while_its_batch_was_answered_sends_the_batch_again(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    # Found by qbsync bench chaos (twelve payments twice in QBO in a full run): worker A's
    # batch was answered, but a member's lease had lapsed and worker B had taken it over, so
    # A could not record that member's answer, yet marked the batch answered; B then found
    # no unanswered batch and created its payment anew with a request id of its own.
    taken_over: list[PaymentClaim] = []

    def worker_b_takes_the_second_member() -> None:
        claim = claim_payment_push(services.uow(), backlog[1][1].id, "w-b", after_the_lease())
        assert claim is not None
        taken_over.append(claim)

    connect = ThenRuns(services.qbo, "create_payments_in_batch", worker_b_takes_the_second_member)
    run(services, backlog[0][1], connect=connect)  # worker A: the batch, and its answers
    assert stored(services, "payment", backlog[1][0]).qbo_id is None  # not A's to record

    outcome = push_claimed_payment(
        services.uow(), services.qbo, RecordingDispatcher(), taken_over[0], "w-b",
        after_the_lease,
    )  # fmt: skip

    assert outcome is PushOutcome.SYNCED
    assert len(payments_in_qbo(sandbox)) == 3
    qbo_ids = {stored(services, "payment", payment_id).qbo_id for payment_id, _ in backlog}
    assert qbo_ids == {p["Id"] for p in payments_in_qbo(sandbox)}
