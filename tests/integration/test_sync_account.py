"""The sync_account use case on the real SQL store, against a scripted QBO."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.adapters.db.tables import jobs, status_changes
from core.bootstrap import Services
from core.domain.jobs import LEASE, MAX_ATTEMPTS, JobState
from core.domain.status import SyncStatus
from core.errors import QboTransientError
from core.services.accounts import get_account, put_account, request_account_sync
from core.services.jobs import get_job
from core.services.sync_account import Outcome, run_sync_account
from tests.conftest import Firm
from tests.fakes import FakeQbo, RecordingDispatcher


@pytest.fixture
def qbo() -> FakeQbo:
    return FakeQbo()


def queue_sync(services: Services, firm: Firm, name: str, external_id: str = "acc-1") -> str:
    put_account(services.uow(), firm.id, external_id, name, services.clock())
    job = request_account_sync(
        services.uow(), RecordingDispatcher(), firm.id, external_id, services.clock()
    )
    return job.id


def run(services: Services, qbo: FakeQbo, job_id: str, owner: str = "w1") -> Outcome:
    return run_sync_account(services.uow(), qbo, job_id, owner, services.clock)


def test_an_account_links_to_the_active_customer_of_the_same_name(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    existing = qbo.add("Acme Ltd")
    job_id = queue_sync(services, firm, "  Acme Ltd ")

    assert run(services, qbo, job_id) is Outcome.SYNCED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.SYNCED
    assert account.qbo_customer_id == existing.id
    assert account.last_synced_at is not None
    assert qbo.creates == []
    assert get_job(services.uow(), firm.id, job_id).job.state is JobState.SUCCEEDED


def test_an_account_without_namesake_gets_a_new_customer(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "New Client")

    assert run(services, qbo, job_id) is Outcome.SYNCED

    assert [name for name, _ in qbo.creates] == ["New Client"]
    account = get_account(services.uow(), firm.id, "acc-1")
    assert qbo.customers[account.qbo_customer_id or ""].display_name == "New Client"


def test_a_job_delivered_twice_runs_once(services: Services, firm: Firm, qbo: FakeQbo) -> None:
    job_id = queue_sync(services, firm, "Twice Delivered")

    assert run(services, qbo, job_id, owner="w1") is Outcome.SYNCED
    assert run(services, qbo, job_id, owner="w2") is Outcome.NOT_CLAIMED

    assert len(qbo.creates) == 1


def test_a_job_whose_worker_died_is_taken_over_and_the_dead_claim_is_fenced_off(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Crashed Midway")
    now = services.clock()
    with services.uow() as uow:
        assert uow.jobs.claim(job_id, "dead-worker", now) is not None
        uow.commit()
    # The dead worker's lease runs out; a second worker reclaims the job.
    later = now + LEASE + timedelta(seconds=1)
    outcome = run_sync_account(services.uow(), qbo, job_id, "w2", lambda: later)
    assert outcome is Outcome.SYNCED

    with services.uow() as uow:  # the dead worker's late write is refused
        assert not uow.jobs.complete(job_id, "dead-worker", later)
    view = get_job(services.uow(), firm.id, job_id)
    assert view.job.state is JobState.SUCCEEDED
    assert view.job.attempts == 2
    assert len(qbo.creates) == 1


def test_a_create_whose_answer_was_lost_is_linked_on_retry_not_made_twice(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Lost Answer")
    qbo.lose_next_create_answer = True
    assert run(services, qbo, job_id) is Outcome.RETRY_LATER

    due = services.clock() + timedelta(minutes=10)
    assert run_sync_account(services.uow(), qbo, job_id, "w2", lambda: due) is Outcome.SYNCED

    assert len(qbo.customers) == 1
    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.qbo_customer_id == next(iter(qbo.customers))


def test_a_retried_create_sends_the_same_request_id(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Retried Create")
    qbo.create_faults.append(QboTransientError("QBO answered HTTP 503", http_status=503))
    assert run(services, qbo, job_id) is Outcome.RETRY_LATER

    due = services.clock() + timedelta(minutes=10)
    assert run_sync_account(services.uow(), qbo, job_id, "w2", lambda: due) is Outcome.SYNCED

    request_ids = [rid for _, rid in qbo.creates]
    assert len(request_ids) == 2
    assert request_ids[0] == request_ids[1]
    assert len(qbo.customers) == 1


def test_a_transient_fault_keeps_the_account_syncing_and_schedules_a_retry(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Flaky")
    qbo.faults.append(QboTransientError("QBO answered HTTP 503", http_status=503))

    assert run(services, qbo, job_id) is Outcome.RETRY_LATER

    job = get_job(services.uow(), firm.id, job_id).job
    assert job.state is JobState.QUEUED
    assert job.next_attempt_at is not None and job.next_attempt_at > services.clock()
    assert job.last_error is not None and job.last_error["retryable"] is True
    assert get_account(services.uow(), firm.id, "acc-1").status is SyncStatus.SYNCING
    # Not due yet: a redelivered message cannot claim it early.
    assert run(services, qbo, job_id, owner="w2") is Outcome.NOT_CLAIMED


def test_transient_faults_end_in_failed_after_the_attempt_cap(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Always Down")
    now = services.clock()
    outcomes = []
    for attempt in range(MAX_ATTEMPTS):
        qbo.faults.append(QboTransientError("QBO answered HTTP 500", http_status=500))
        at = now + timedelta(hours=attempt)
        clock = lambda at=at: at  # noqa: E731
        outcomes.append(run_sync_account(services.uow(), qbo, job_id, f"w{attempt}", clock))

    assert outcomes == [Outcome.RETRY_LATER] * (MAX_ATTEMPTS - 1) + [Outcome.FAILED]
    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.FAILED
    assert account.error is not None
    assert f"gave up after {MAX_ATTEMPTS} attempts" in account.error["message"]


def test_a_name_qbo_holds_elsewhere_fails_with_advice_for_the_bookkeeper(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    qbo.other_names.add("Office Supplies Co")  # a vendor's name
    job_id = queue_sync(services, firm, "Office Supplies Co")

    assert run(services, qbo, job_id) is Outcome.FAILED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.FAILED
    assert account.error is not None
    assert account.error["code"] == "6240"
    assert account.error["retryable"] is False
    assert account.error["intuit_tid"] == "tid-6240"
    assert "vendor, an employee or an inactive customer" in account.error["message"]
    assert get_job(services.uow(), firm.id, job_id).job.state is JobState.FAILED


def test_an_inactive_namesake_is_not_linked_and_the_error_says_how_to_fix_it(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    qbo.add("Gone Client", active=False)
    job_id = queue_sync(services, firm, "Gone Client")

    assert run(services, qbo, job_id) is Outcome.FAILED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.qbo_customer_id is None
    assert account.error is not None and "Reactivate it in QuickBooks" in account.error["message"]
    assert qbo.creates == []


def test_every_status_change_is_recorded_with_its_job(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Historic")
    run(services, qbo, job_id)

    with services.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                status_changes.c.from_status, status_changes.c.to_status, status_changes.c.job_id
            ).order_by(status_changes.c.id)
        ).all()
    assert [(r.from_status, r.to_status, r.job_id) for r in rows] == [
        (SyncStatus.NOT_SYNCED, SyncStatus.SYNCING, job_id),
        (SyncStatus.SYNCING, SyncStatus.SYNCED, job_id),
    ]


def test_a_second_sync_request_while_one_is_queued_returns_the_same_job(
    services: Services, firm: Firm
) -> None:
    first = queue_sync(services, firm, "Impatient")
    again = request_account_sync(
        services.uow(), RecordingDispatcher(), firm.id, "acc-1", services.clock()
    )
    assert again.id == first
    with services.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(jobs)) == 1


def test_a_firm_without_connection_fails_at_once_with_the_reason(
    services: Services, qbo: FakeQbo
) -> None:
    from core.services.firms import create_firm

    firm_id, key = create_firm(services.uow(), "Unconnected", services.clock())
    job_id = queue_sync(services, Firm(id=firm_id, api_key=key), "Someone")

    assert run(services, qbo, job_id) is Outcome.FAILED
    account = get_account(services.uow(), firm_id, "acc-1")
    assert account.error is not None and account.error["code"] == "not_connected"


def test_the_relay_resends_a_job_whose_worker_died_holding_it(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    from core.services.relay import relay_jobs

    job_id = queue_sync(services, firm, "Orphaned")
    dispatcher = RecordingDispatcher()
    now = services.clock()
    assert relay_jobs(services.uow(), dispatcher, now) == 0  # handed over already
    with services.uow() as uow:
        assert uow.jobs.claim(job_id, "dies-next", now) is not None
        uow.commit()

    assert relay_jobs(services.uow(), dispatcher, now + timedelta(seconds=5)) == 0  # still leased
    expired = now + LEASE + timedelta(seconds=1)
    assert relay_jobs(services.uow(), dispatcher, expired) == 1
    assert dispatcher.sent == [job_id]
    assert run_sync_account(services.uow(), qbo, job_id, "w2", lambda: expired) is Outcome.SYNCED


def test_a_job_whose_workers_keep_dying_ends_in_failed_after_the_attempt_cap(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_sync(services, firm, "Crash Loop")
    at = services.clock()
    for _ in range(MAX_ATTEMPTS):  # each claim's worker dies before recording anything
        with services.uow() as uow:
            assert uow.jobs.claim(job_id, "doomed", at) is not None
            uow.commit()
        at += LEASE + timedelta(seconds=1)

    assert run_sync_account(services.uow(), qbo, job_id, "w", lambda: at) is Outcome.FAILED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.FAILED
    assert account.error is not None and account.error["code"] == "attempts_exhausted"
    assert qbo.creates == []


def test_a_created_customer_asks_for_the_individual_type_only_where_it_exists(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    qbo.customer_types["Individual"] = "5000000000000018823"
    run(services, qbo, queue_sync(services, firm, "Typed One", "acc-1"))
    qbo.customer_types.clear()
    run(services, qbo, queue_sync(services, firm, "Untyped Two", "acc-2"))

    assert qbo.created_types == ["5000000000000018823", None]


@pytest.mark.parametrize(
    ("name", "says"), [("Acme: Tax", "a colon"), ("Two\tParts", "a tab"), ("Line\nBreak", "line")]
)
def test_a_name_with_characters_qbo_forbids_fails_with_advice_and_no_qbo_call(
    services: Services, firm: Firm, qbo: FakeQbo, name: str, says: str
) -> None:
    qbo.faults.append(QboTransientError("any QBO call would take this fault"))

    assert run(services, qbo, queue_sync(services, firm, name)) is Outcome.FAILED

    error = get_account(services.uow(), firm.id, "acc-1").error
    assert error is not None and says in error["message"] and "rename" in error["message"]
    assert len(qbo.faults) == 1  # QBO was never called


def test_renaming_a_synced_account_changes_nothing_in_qbo_and_raises_no_error(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    run(services, qbo, queue_sync(services, firm, "Before Rename"))

    renamed, created = put_account(
        services.uow(), firm.id, "acc-1", "After Rename", services.clock()
    )

    assert not created
    assert (renamed.status, renamed.error) == (SyncStatus.SYNCED, None)
    assert [c.display_name for c in qbo.customers.values()] == ["Before Rename"]


def test_a_linked_account_renamed_to_a_name_qbo_forbids_stays_linked_when_synced_again(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    assert run(services, qbo, queue_sync(services, firm, "Plain Name")) is Outcome.SYNCED
    linked = get_account(services.uow(), firm.id, "acc-1").qbo_customer_id

    again = queue_sync(services, firm, "Tax: Plain Name")  # a rename is no error (SPEC §2.1)

    assert run(services, qbo, again) is Outcome.SYNCED
    account = get_account(services.uow(), firm.id, "acc-1")
    assert (account.status, account.qbo_customer_id) == (SyncStatus.SYNCED, linked)
    assert [name for name, _ in qbo.creates] == ["Plain Name"]


def test_a_sync_that_finds_the_linked_customer_deleted_drops_the_link_and_says_what_to_do(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    assert run(services, qbo, queue_sync(services, firm, "Gone Client")) is Outcome.SYNCED
    linked = get_account(services.uow(), firm.id, "acc-1").qbo_customer_id
    assert linked is not None
    qbo.deactivate(linked)  # deleted in QBO: inactive, and it keeps its name

    assert run(services, qbo, queue_sync(services, firm, "Gone Client")) is Outcome.FAILED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.FAILED
    assert account.qbo_customer_id is None
    assert account.error is not None and account.error["code"] == "inactive_customer"
    assert "Reactivate it in QuickBooks" in account.error["message"]
