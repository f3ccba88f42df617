"""A firm's backlog of invoice creates goes to QBO in batch requests, each item's answer
recorded against its own invoice, and nothing created twice after a crash (SPEC §3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.bootstrap import Services
from core.domain.jobs import Job, JobState
from core.domain.status import SyncStatus
from core.errors import QboBatchBudgetError, QboPacedError, QboTransientError
from core.services.invoice_push_steps import claim_push, record_refusal
from core.services.push_invoice import run_push_invoice
from core.services.push_runs import PushOutcome
from tests.billing import after_the_lease, linked_account, new_invoice, stored
from tests.conftest import Firm, Sandbox
from tests.crashes import DiesAfter, WorkerKilled
from tests.fakes import RecordingDispatcher


@pytest.fixture
def backlog(services: Services, firm: Firm) -> list[tuple[int, Job]]:
    """Three numbered invoices of a linked account, each queued for its push."""
    account_id = linked_account(services, firm, "acc", "Backlog Client Ltd")
    queued = []
    for n in range(1, 4):
        invoice, job = new_invoice(services, firm, account_id, f"inv-{n}", number=f"B-{n}")
        assert job is not None and invoice.id is not None
        queued.append((invoice.id, job))
    return queued


def batches(sandbox: Sandbox) -> int:
    return sandbox.state.throttle.counters.of(sandbox.realm_id)["batches"]


def numbers_in_qbo(sandbox: Sandbox) -> list[str]:
    rows = sandbox.state.query(sandbox.realm_id, "select * from Invoice").get("Invoice", [])
    return sorted(i["DocNumber"] for i in rows if i.get("DocNumber", "").startswith("B-"))


def run(services: Services, job: Job, connect: Any = None, clock: Any = None) -> PushOutcome:
    return run_push_invoice(
        services.uow(), connect or services.qbo, RecordingDispatcher(), job.id, "w",
        clock or services.clock,
    )  # fmt: skip


def test_one_job_takes_the_queued_creates_along_in_one_batch(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    before = batches(sandbox)

    assert run(services, backlog[0][1]) is PushOutcome.SYNCED

    assert batches(sandbox) - before == 1
    assert numbers_in_qbo(sandbox) == ["B-1", "B-2", "B-3"]
    for invoice_id, job in backlog:
        pushed = stored(services, "invoice", invoice_id)
        assert (pushed.status, pushed.up_to_date) == (SyncStatus.SYNCED, True)
        assert run(services, job) is PushOutcome.NOT_CLAIMED  # its message finds it done


def test_an_item_qbo_refuses_fails_alone(
    services: Services, sandbox: Sandbox, firm: Firm, backlog: list[tuple[int, Job]]
) -> None:
    other = linked_account(services, firm, "acc-2", "Numbers Holder Ltd")
    _, holder = new_invoice(services, firm, other, "holder", number="B-2")
    assert holder is not None
    run(services, holder)  # QBO now holds B-2 (and the backlog's B-1, B-3 went with it)

    for _, job in backlog:
        run(services, job)

    refused = stored(services, "invoice", backlog[1][0])
    assert refused.status is SyncStatus.FAILED and refused.error["code"] == "6140"
    assert stored(services, "invoice", backlog[0][0]).status is SyncStatus.SYNCED
    assert stored(services, "invoice", backlog[2][0]).status is SyncStatus.SYNCED


def test_a_worker_killed_after_the_batch_answer_creates_nothing_twice(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    with pytest.raises(WorkerKilled):
        run(services, backlog[0][1], connect=DiesAfter(services.qbo, "create_invoices_in_batch"))
    assert numbers_in_qbo(sandbox) == ["B-1", "B-2", "B-3"]  # QBO made them; qbsync never heard

    # The leases run out; the relay resends each job, in any order and grouping.
    for _, job in reversed(backlog):
        run(services, job, clock=after_the_lease)

    assert numbers_in_qbo(sandbox) == ["B-1", "B-2", "B-3"]
    for invoice_id, _ in backlog:
        assert stored(services, "invoice", invoice_id).status is SyncStatus.SYNCED


class NoBatchRoom:
    """A QBO connector whose gate finds the minute's batch requests spent."""

    def __init__(self, connect: Any) -> None:
        self._connect = connect

    def __call__(self, connection: Any) -> Any:
        qbo = self._connect(connection)

        def spent(*args: Any, **kwargs: Any) -> Any:
            raise QboBatchBudgetError("QuickBooks' batch requests are spent for now.")

        qbo.create_invoices_in_batch = spent
        return qbo


def test_when_the_minutes_batches_are_spent_the_members_wait_without_spending_attempts(
    services: Services, sandbox: Sandbox, firm: Firm, backlog: list[tuple[int, Job]]
) -> None:
    assert run(services, backlog[0][1], connect=NoBatchRoom(services.qbo)) is (
        PushOutcome.RETRY_LATER
    )

    assert numbers_in_qbo(sandbox) == []  # no thirty single calls instead
    with services.uow() as uow:
        for _, job in backlog:
            waiting = uow.jobs.get(firm.id, job.id)
            assert waiting is not None
            assert (waiting.state, waiting.attempts) == (JobState.QUEUED, 0)


def test_a_throttled_push_retries_without_spending_an_attempt_and_a_failed_one_spends_it(
    services: Services, firm: Firm, backlog: list[tuple[int, Job]]
) -> None:
    throttled, failed = (
        claim_push(services.uow(), job.id, "w", services.clock()) for _, job in backlog[:2]
    )
    assert throttled is not None and failed is not None

    record_refusal(services.uow(), RecordingDispatcher(), throttled, "w", services.clock(),
                   QboPacedError("ThrottleExceeded", code="3001", http_status=429))  # fmt: skip
    record_refusal(services.uow(), RecordingDispatcher(), failed, "w", services.clock(),
                   QboTransientError("SystemFault", code="10000", http_status=500))  # fmt: skip

    with services.uow() as uow:
        assert uow.jobs.get(firm.id, throttled.job.id).attempts == 0
        assert uow.jobs.get(firm.id, failed.job.id).attempts == 1


class AnswerLost:
    """A QBO connector whose batch answers are lost on the way back, after QBO wrote."""

    def __init__(self, connect: Any) -> None:
        self._connect = connect

    def __call__(self, connection: Any) -> Any:
        qbo = self._connect(connection)
        create = qbo.create_invoices_in_batch

        def lost(*args: Any, **kwargs: Any) -> Any:
            create(*args, **kwargs)
            raise QboTransientError("QuickBooks could not be reached: connection reset")

        qbo.create_invoices_in_batch = lost
        return qbo


def test_a_batch_retried_after_its_answer_was_lost_finds_its_copies_in_one_query(
    services: Services, sandbox: Sandbox, backlog: list[tuple[int, Job]]
) -> None:
    assert run(services, backlog[0][1], connect=AnswerLost(services.qbo)) is (
        PushOutcome.RETRY_LATER
    )
    reads = sandbox.state.throttle.counters.of(sandbox.realm_id)["reads"]

    later = lambda: services.clock() + timedelta(minutes=10)  # noqa: E731  the backoff is over
    assert run(services, backlog[0][1], clock=later) is PushOutcome.SYNCED

    assert numbers_in_qbo(sandbox) == ["B-1", "B-2", "B-3"]  # adopted, not made again
    # One query for the three numbers, not one each (the item's Id is kept from the first run).
    assert sandbox.state.throttle.counters.of(sandbox.realm_id)["reads"] - reads == 1


def test_a_push_the_gate_held_back_comes_back_when_its_window_opens_not_after_its_backoff(
    services: Services, firm: Firm, backlog: list[tuple[int, Job]]
) -> None:
    job_id, now = backlog[0][1].id, services.clock()
    for _ in range(4):  # four faults: its backoff has grown to about 16 s
        now += timedelta(minutes=2)
        claimed = claim_push(services.uow(), job_id, "w", now)
        assert claimed is not None
        record_refusal(services.uow(), RecordingDispatcher(), claimed, "w", now,
                       QboTransientError("SystemFault", code="10000", http_status=500))  # fmt: skip
    now += timedelta(minutes=2)
    claimed = claim_push(services.uow(), job_id, "w", now)
    assert claimed is not None

    record_refusal(services.uow(), RecordingDispatcher(), claimed, "w", now,
                   QboBatchBudgetError("batch requests spent", retry_after_s=3.0))  # fmt: skip

    with services.uow() as uow:
        waiting = uow.jobs.get(firm.id, job_id)
    assert waiting is not None and waiting.attempts == 4 and waiting.next_attempt_at is not None
    assert timedelta(seconds=3) <= waiting.next_attempt_at - now <= timedelta(seconds=3.75)


def test_a_dead_runs_creates_go_along_with_the_next_batch_without_a_message_each(
    services: Services, sandbox: Sandbox, firm: Firm, backlog: list[tuple[int, Job]]
) -> None:
    with services.uow() as uow:  # a worker claimed two of them, then was SIGKILLed
        for _, job in backlog[1:]:
            assert uow.jobs.claim(job.id, "dead:1:aaaa", services.clock()) is not None
        uow.commit()
    before = batches(sandbox)

    assert run(services, backlog[0][1], clock=after_the_lease) is PushOutcome.SYNCED

    assert batches(sandbox) - before == 1
    assert numbers_in_qbo(sandbox) == ["B-1", "B-2", "B-3"]
    for invoice_id, _ in backlog:
        assert stored(services, "invoice", invoice_id).status is SyncStatus.SYNCED


def test_when_the_minutes_batches_are_spent_a_pair_of_creates_goes_as_single_calls(
    services: Services, sandbox: Sandbox, firm: Firm
) -> None:
    account_id = linked_account(services, firm, "pair", "Pair Of Invoices Ltd")
    pair = [new_invoice(services, firm, account_id, f"p-{n}", number=f"B-{n}") for n in (1, 2)]
    lead = pair[0][1]
    assert lead is not None

    assert run(services, lead, connect=NoBatchRoom(services.qbo)) is PushOutcome.SYNCED

    assert numbers_in_qbo(sandbox) == ["B-1", "B-2"]
    for invoice, _ in pair:
        assert invoice.id is not None
        assert stored(services, "invoice", invoice.id).status is SyncStatus.SYNCED
