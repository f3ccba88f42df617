"""The check_customer_link use case on the real SQL store, against a scripted QBO."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE, MAX_ATTEMPTS, Job, JobState
from core.domain.records import CustomerMerge
from core.domain.status import SyncStatus
from core.errors import QboAuthenticationError, QboTransientError
from core.services.accounts import account_history, get_account
from core.services.customer_links import CheckOutcome, add_check_jobs, run_check_customer_link
from core.services.jobs import get_job
from sandbox.seed import DEMO_REALM_ID
from tests.conftest import Firm
from tests.factories import a_linked_account
from tests.fakes import FakeQbo


@pytest.fixture
def qbo() -> FakeQbo:
    qbo = FakeQbo()
    for name in ("Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars"):
        qbo.add(name)  # Ids 1, 2, 3
    return qbo


def queue_check(services: Services, account_id: int) -> str:
    with services.uow() as uow:
        account = uow.accounts.get_by_id(account_id)
        assert account is not None
        [job] = add_check_jobs(uow, [account], services.clock())
        uow.commit()
    return job.id


def run(services: Services, qbo: FakeQbo, job_id: str, owner: str = "w1") -> CheckOutcome:
    return run_check_customer_link(services.uow(), qbo, job_id, owner, services.clock)


def record_merge(services: Services, merged_id: str, survivor_id: str) -> None:
    with services.uow() as uow:
        uow.merges.add(CustomerMerge(DEMO_REALM_ID, merged_id, survivor_id, services.clock()))
        uow.commit()


def job_of(services: Services, firm: Firm, job_id: str) -> Job:
    return get_job(services.uow(), firm.id, job_id).job


def test_an_active_customer_leaves_the_account_as_it_was(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    job_id = queue_check(services, account_id)

    assert run(services, qbo, job_id) is CheckOutcome.UNCHANGED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert (account.status, account.qbo_customer_id, account.error) == (
        SyncStatus.SYNCED,
        "3",
        None,
    )
    assert account_history(services.uow(), firm.id, "acc-1") == []
    assert job_of(services, firm, job_id).state is JobState.SUCCEEDED


def test_an_inactive_customer_makes_the_account_not_synced_with_the_reason(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    qbo.deactivate("3")
    job_id = queue_check(services, account_id)

    assert run(services, qbo, job_id) is CheckOutcome.NOT_SYNCED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.NOT_SYNCED
    assert account.qbo_customer_id is None  # syncing it again links afresh
    assert account.error is not None and account.error["code"] == "customer_deleted"
    assert "'Cool Cars' (Id 3) was deleted (made inactive)" in account.error["message"]
    assert "Sync the account again" in account.error["message"]
    [entry] = account_history(services.uow(), firm.id, "acc-1")
    assert (entry.from_status, entry.to_status, entry.job_id) == (
        SyncStatus.SYNCED,
        SyncStatus.NOT_SYNCED,
        job_id,
    )
    assert entry.cause == "QBO customer 3 was deleted (made inactive)"
    assert entry.error == account.error


def test_a_merged_customer_relinks_the_account_to_the_survivor(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "2")
    qbo.merge("2", "3")
    record_merge(services, merged_id="2", survivor_id="3")
    job_id = queue_check(services, account_id)

    assert run(services, qbo, job_id) is CheckOutcome.RELINKED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert (account.status, account.qbo_customer_id, account.error) == (
        SyncStatus.SYNCED,
        "3",
        None,
    )
    [entry] = account_history(services.uow(), firm.id, "acc-1")
    assert (entry.from_status, entry.to_status) == (SyncStatus.SYNCED, SyncStatus.SYNCED)
    assert entry.cause == "relinked to QBO customer 3: customer 2 was merged into it"
    assert entry.job_id == job_id


def test_a_chain_of_merges_relinks_to_the_last_survivor(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "1")
    qbo.merge("1", "2")
    qbo.merge("2", "3")
    record_merge(services, merged_id="1", survivor_id="2")
    record_merge(services, merged_id="2", survivor_id="3")

    assert run(services, qbo, queue_check(services, account_id)) is CheckOutcome.RELINKED
    assert get_account(services.uow(), firm.id, "acc-1").qbo_customer_id == "3"


def test_a_missing_customer_with_no_known_survivor_makes_the_account_not_synced(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "2")
    qbo.merge("2", "3")  # no webhook told where it went

    assert run(services, qbo, queue_check(services, account_id)) is CheckOutcome.NOT_SYNCED

    account = get_account(services.uow(), firm.id, "acc-1")
    assert account.status is SyncStatus.NOT_SYNCED
    assert account.error is not None
    assert "Id 2 no longer exists" in account.error["message"]
    assert "merged" in account.error["message"]


def test_a_survivor_that_is_inactive_itself_makes_the_account_not_synced(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "2")
    qbo.merge("2", "3")
    qbo.deactivate("3")
    record_merge(services, merged_id="2", survivor_id="3")

    assert run(services, qbo, queue_check(services, account_id)) is CheckOutcome.NOT_SYNCED
    assert get_account(services.uow(), firm.id, "acc-1").qbo_customer_id is None


@pytest.mark.parametrize(
    "status", [SyncStatus.SKIPPED, SyncStatus.FAILED, SyncStatus.NOT_SYNCED, SyncStatus.SYNCING]
)
def test_an_account_that_is_not_synced_when_the_job_runs_is_left_alone(
    services: Services, firm: Firm, qbo: FakeQbo, status: SyncStatus
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    job_id = queue_check(services, account_id)
    with services.uow() as uow:  # e.g. turned off by an admin after the check was queued
        account = uow.accounts.get_by_id(account_id)
        assert account is not None
        account.status = status
        uow.commit()
    qbo.deactivate("3")
    qbo.faults.append(QboTransientError("any QBO call would take this fault"))

    assert run(services, qbo, job_id) is CheckOutcome.LEFT_ALONE

    account = get_account(services.uow(), firm.id, "acc-1")
    assert (account.status, account.qbo_customer_id, account.error) == (status, "3", None)
    assert account_history(services.uow(), firm.id, "acc-1") == []
    assert len(qbo.faults) == 1  # QBO was not even asked


def test_only_synced_accounts_without_an_active_job_get_a_check(
    services: Services, firm: Firm
) -> None:
    ids = [
        a_linked_account(services, firm.id, "synced", "3"),
        a_linked_account(services, firm.id, "skipped", "3", status=SyncStatus.SKIPPED),
        a_linked_account(services, firm.id, "failed", "3", status=SyncStatus.FAILED),
    ]
    with services.uow() as uow:
        accounts = [uow.accounts.get_by_id(i) for i in ids]
        first = add_check_jobs(uow, [a for a in accounts if a], services.clock())
        again = add_check_jobs(uow, [a for a in accounts if a], services.clock())
        uow.commit()

    assert [job.target_id for job in first] == [ids[0]]
    assert again == []  # the first is active


def test_a_duplicate_message_checks_once(services: Services, firm: Firm, qbo: FakeQbo) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    qbo.deactivate("3")
    job_id = queue_check(services, account_id)

    assert run(services, qbo, job_id, owner="w1") is CheckOutcome.NOT_SYNCED
    assert run(services, qbo, job_id, owner="w2") is CheckOutcome.NOT_CLAIMED

    assert len(account_history(services.uow(), firm.id, "acc-1")) == 1


def test_a_check_whose_lease_was_taken_over_writes_nothing(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    job_id = queue_check(services, account_id)
    now = services.clock()
    with services.uow() as uow:
        assert uow.jobs.claim(job_id, "slow-worker", now) is not None
        uow.commit()
    qbo.deactivate("3")
    later = now + LEASE + timedelta(seconds=1)
    assert run_check_customer_link(services.uow(), qbo, job_id, "w2", lambda: later) is (
        CheckOutcome.NOT_SYNCED
    )

    with services.uow() as uow:  # the slow worker's late outcome is refused
        assert not uow.jobs.complete(job_id, "slow-worker", later)
    assert len(account_history(services.uow(), firm.id, "acc-1")) == 1


def test_a_transient_fault_retries_later_and_keeps_the_account_synced(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    account_id = a_linked_account(services, firm.id, "acc-1", "3")
    qbo.deactivate("3")
    job_id = queue_check(services, account_id)
    qbo.faults.append(QboTransientError("QBO answered HTTP 503", http_status=503))

    assert run(services, qbo, job_id) is CheckOutcome.RETRY_LATER
    job = job_of(services, firm, job_id)
    assert job.state is JobState.QUEUED and job.next_attempt_at is not None
    assert get_account(services.uow(), firm.id, "acc-1").status is SyncStatus.SYNCED

    due = job.next_attempt_at + timedelta(seconds=1)
    assert run_check_customer_link(services.uow(), qbo, job_id, "w2", lambda: due) is (
        CheckOutcome.NOT_SYNCED
    )


def test_transient_faults_end_the_job_in_failed_after_the_cap_and_the_account_stays(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_check(services, a_linked_account(services, firm.id, "acc-1", "3"))
    at = services.clock()
    outcomes = []
    for attempt in range(MAX_ATTEMPTS):
        qbo.faults.append(QboTransientError("QBO answered HTTP 500", http_status=500))
        at += timedelta(hours=1)
        clock = lambda at=at: at  # noqa: E731
        outcomes.append(run_check_customer_link(services.uow(), qbo, job_id, f"w{attempt}", clock))

    assert outcomes == [CheckOutcome.RETRY_LATER] * (MAX_ATTEMPTS - 1) + [CheckOutcome.FAILED]
    job = job_of(services, firm, job_id)
    assert job.last_error is not None and "gave up after" in job.last_error["message"]
    assert get_account(services.uow(), firm.id, "acc-1").status is SyncStatus.SYNCED


def test_a_permanent_fault_fails_the_job_at_once_and_leaves_the_account(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_check(services, a_linked_account(services, firm.id, "acc-1", "3"))
    qbo.faults.append(QboAuthenticationError("AuthenticationFailed", code="3200"))

    assert run(services, qbo, job_id) is CheckOutcome.FAILED

    job = job_of(services, firm, job_id)
    assert job.last_error is not None and job.last_error["code"] == "3200"
    assert get_account(services.uow(), firm.id, "acc-1").status is SyncStatus.SYNCED


def test_a_firm_without_connection_fails_the_check_with_the_reason(
    services: Services, qbo: FakeQbo
) -> None:
    from core.services.firms import create_firm

    firm_id, _ = create_firm(services.uow(), "Unconnected", services.clock())
    job_id = queue_check(services, a_linked_account(services, firm_id, "acc-1", "3"))

    assert run(services, qbo, job_id) is CheckOutcome.FAILED

    job = get_job(services.uow(), firm_id, job_id).job
    assert job.last_error is not None and job.last_error["code"] == "not_connected"
    assert get_account(services.uow(), firm_id, "acc-1").status is SyncStatus.SYNCED
