"""Syncs by name settled together: names QBO holds linked without a request each, new names
created in one batch request (once per name), near matches left for a person, and nothing
created twice when the worker dies after the batch's answer (design/jobs.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE
from core.domain.records import QboConnection
from core.services.accounts import get_account, put_account
from core.services.bulk_sync import Selection, bulk_sync
from core.services.customers import CustomerDirectory
from core.services.sync_account import Outcome, run_sync_account
from tests.conftest import Firm, Sandbox
from tests.crashes import DiesAfter, WorkerKilled
from tests.fakes import RecordingDispatcher

ACCOUNTS = {
    "amy": "Amy's Bird Sanctuary",  # QBO has it
    "cars": "Cool Cars",  # QBO has it
    "new-1": "Batch New One",
    "new-2": "Batch New Two",
    "twin-a": "Batch Twin",  # two accounts, one new customer
    "twin-b": "Batch Twin",
    "near": "Melton, John",  # QBO has "John Melton": a person chooses
}


@pytest.fixture
def job_ids(services: Services, firm: Firm) -> list[str]:
    for external_id, name in ACCOUNTS.items():
        put_account(services.uow(), firm.id, external_id, name, services.clock())
    result = bulk_sync(
        services.uow(), RecordingDispatcher(), firm.id,
        Selection(external_ids=list(ACCOUNTS)), services.clock(),
    )  # fmt: skip
    return [item.job_id for item in result.items if item.job_id]


def run(
    services: Services,
    job_id: str,
    directory: CustomerDirectory,
    connect: Any = None,
    clock: Callable[[], datetime] | None = None,
) -> Outcome:
    return run_sync_account(
        services.uow(), connect or services.qbo, job_id, "w", clock or services.clock, directory
    )


def named(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    return [c for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == name]


def test_one_job_settles_the_queued_syncs_with_one_batch_request(
    services: Services, firm: Firm, sandbox: Sandbox, job_ids: list[str]
) -> None:
    counters = sandbox.state.throttle.counters
    counters.reset(sandbox.realm_id)

    assert run(services, job_ids[0], CustomerDirectory()) is Outcome.SYNCED

    used = counters.of(sandbox.realm_id)
    assert used["batches"] == 1
    assert used["reads"] == 2  # the customer list (one page) and the customer type
    status = {k: get_account(services.uow(), firm.id, k) for k in ACCOUNTS}
    assert status["amy"].qbo_customer_id == named(sandbox, "Amy's Bird Sanctuary")[0]["Id"]
    [twin] = named(sandbox, "Batch Twin")
    assert status["twin-a"].qbo_customer_id == status["twin-b"].qbo_customer_id == twin["Id"]
    assert len(named(sandbox, "Batch New One")) == 1
    assert status["near"].error is not None and status["near"].error["code"] == "needs_choice"
    assert named(sandbox, "Melton, John") == []
    assert all(run(services, j, CustomerDirectory()) is Outcome.NOT_CLAIMED for j in job_ids)


def test_a_worker_killed_after_the_batch_answer_creates_nothing_twice(
    services: Services, firm: Firm, sandbox: Sandbox, job_ids: list[str]
) -> None:
    with pytest.raises(WorkerKilled):
        run(
            services,
            job_ids[0],
            CustomerDirectory(),
            connect=DiesAfter(services.qbo, "create_customers_in_batch"),
        )
    assert len(named(sandbox, "Batch Twin")) == 1  # QBO made them; qbsync never heard

    # The leases run out; the relay resends each job, in another order.
    after_the_lease = lambda: datetime.now(UTC) + LEASE + timedelta(seconds=1)  # noqa: E731
    for job_id in reversed(job_ids):
        run(services, job_id, CustomerDirectory(), clock=after_the_lease)

    for name in ("Batch New One", "Batch New Two", "Batch Twin"):
        assert len(named(sandbox, name)) == 1, name
    for external_id in ("new-1", "new-2", "twin-a", "twin-b", "amy", "cars"):
        account = get_account(services.uow(), firm.id, external_id)
        assert account.qbo_customer_id is not None, external_id


def test_a_name_someone_took_meanwhile_is_linked_to_them(
    services: Services, firm: Firm, sandbox: Sandbox, job_ids: list[str]
) -> None:
    directory = CustomerDirectory()
    directory.customers(sandbox.realm_id, services.qbo(_connection(services, firm)))
    taken = sandbox.state.add_customer(sandbox.realm_id, DisplayName="Batch New One")

    run(services, job_ids[0], directory)  # the kept list does not have it yet: QBO says 6240

    account = get_account(services.uow(), firm.id, "new-1")
    assert account.qbo_customer_id == taken["Id"]
    assert len(named(sandbox, "Batch New One")) == 1


def _connection(services: Services, firm: Firm) -> QboConnection:
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
        return connection


def test_a_worker_renews_only_the_leases_it_still_holds(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    now = services.clock()
    with services.uow() as uow:
        mine = uow.jobs.claim(job_ids[0], "w1", now)
        theirs = uow.jobs.claim(job_ids[1], "w2", now)
        assert mine is not None and theirs is not None
        uow.commit()
    later = now + timedelta(seconds=50)

    with services.uow() as uow:
        renewed = uow.jobs.renew_leases(job_ids[:3], "w1", later)
        uow.commit()

    assert renewed == 1  # not w2's job, not a queued one
    with services.uow() as uow:
        kept = uow.jobs.get(firm.id, job_ids[0])
        other = uow.jobs.get(firm.id, job_ids[1])
        assert kept is not None and other is not None
        assert kept.lease_until == later + LEASE
        assert other.lease_until == now + LEASE
