"""A firm's lane of syncs by name: runs sized to the company's room in QBO's minute, at most
LANE_RUNS of them at once, handing the lane on; creates recorded before they are sent and sent
again exactly after a crash (design/jobs.md §6-7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE, JobState
from core.domain.qbo import Room
from core.domain.records import QboConnection
from core.domain.status import SyncStatus
from core.services.accounts import get_account, put_account
from core.services.bulk_sync import Selection, bulk_sync
from core.services.customers import CustomerDirectory
from core.services.relay import relay_jobs
from core.services.sync_account import Outcome, run_sync_account
from core.services.sync_account_lane import LANE_RUNS, SINGLES_PER_RUN
from tests.conftest import Firm, Sandbox
from tests.crashes import DiesAfter, WorkerKilled
from tests.fakes import RecordingDispatcher


class FixedRoom:
    """A company's room in QBO's minute, as a test sets it."""

    def __init__(self, room: Room) -> None:
        self.value = room

    def room(self, realm_id: str) -> Room:
        return self.value


BATCH_ROOM = Room(singles=460, batches=40)


def add_accounts(services: Services, firm: Firm, names: dict[str, str]) -> list[str]:
    """Store the accounts and queue their bulk sync; the job ids, oldest first."""
    for external_id, name in names.items():
        put_account(services.uow(), firm.id, external_id, name, services.clock())
    dispatcher = RecordingDispatcher()
    result = bulk_sync(
        services.uow(), dispatcher, firm.id, Selection(external_ids=list(names)), services.clock()
    )
    assert dispatcher.sent == [item.job_id for item in result.items][:LANE_RUNS]
    return [item.job_id for item in result.items if item.job_id]


def run(
    services: Services,
    job_id: str,
    *,
    room: Room = BATCH_ROOM,
    directory: CustomerDirectory | None = None,
    dispatcher: RecordingDispatcher | None = None,
    connect: Any = None,
    clock: Callable[[], datetime] | None = None,
    worker: str = "w",
) -> Outcome:
    return run_sync_account(
        services.uow(),
        connect or services.qbo,
        job_id,
        worker,
        clock or services.clock,
        directory or CustomerDirectory(),
        dispatcher,
        FixedRoom(room),
    )


def connection_of(services: Services, firm: Firm) -> QboConnection:
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
    assert connection is not None
    return connection


def named(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    return [c for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == name]


def statuses(services: Services, firm: Firm, external_ids: list[str]) -> dict[str, SyncStatus]:
    return {e: get_account(services.uow(), firm.id, e).status for e in external_ids}


def new_names(count: int) -> dict[str, str]:
    return {f"n-{i}": f"Lane New {i:03}" for i in range(count)}


def test_a_run_with_batch_room_creates_thirty_names_in_one_request_and_hands_the_lane_on(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    names = {"amy": "Amy's Bird Sanctuary", **new_names(40)}
    job_ids = add_accounts(services, firm, names)
    counters = sandbox.state.throttle.counters
    counters.reset(sandbox.realm_id)
    dispatcher = RecordingDispatcher()

    assert run(services, job_ids[0], dispatcher=dispatcher) is Outcome.SYNCED

    used = counters.of(sandbox.realm_id)
    assert used["batches"] == 1 and used["batch_items"] == 30
    assert used["reads"] == 2  # the customer list (one page) and the customer type
    assert used["writes"] == 30  # the batch's items, metered as writes: no call of their own
    status = statuses(services, firm, list(names))
    assert status["amy"] is SyncStatus.SYNCED  # linked from the list, no request of its own
    assert sum(s is SyncStatus.SYNCED for s in status.values()) == 31
    assert sum(s is SyncStatus.SYNCING for s in status.values()) == 10  # given back, untried
    with services.uow() as uow:
        waiting = [uow.jobs.get(firm.id, j) for j in job_ids]
    assert all(j.state is JobState.QUEUED and j.attempts == 0 for j in waiting if j and j.state
               is JobState.QUEUED)  # fmt: skip
    # The lane is handed on: one message, for its oldest due sync, sent at once.
    assert len(dispatcher.sent) == 1 and dispatcher.delays == {}
    assert run(services, dispatcher.sent[0]) is Outcome.SYNCED
    assert set(statuses(services, firm, list(names)).values()) == {SyncStatus.SYNCED}


def test_with_room_for_single_calls_only_a_run_creates_a_few_names_one_call_each(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    names = new_names(10)
    job_ids = add_accounts(services, firm, names)
    counters = sandbox.state.throttle.counters
    counters.reset(sandbox.realm_id)

    run(services, job_ids[0], room=Room(singles=100, batches=0))

    used = counters.of(sandbox.realm_id)
    assert used["batches"] == 0
    assert used["writes"] == SINGLES_PER_RUN
    synced = [e for e, s in statuses(services, firm, list(names)).items() if s is SyncStatus.SYNCED]
    assert len(synced) == SINGLES_PER_RUN
    for external_id in synced:
        assert len(named(sandbox, names[external_id])) == 1


def test_when_the_minute_is_spent_nothing_is_sent_and_the_lane_wakes_when_it_opens(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    job_ids = add_accounts(services, firm, {"cars": "Cool Cars", **new_names(3)})
    counters = sandbox.state.throttle.counters
    counters.reset(sandbox.realm_id)
    dispatcher = RecordingDispatcher()

    outcome = run(
        services, job_ids[1], room=Room(singles=0, batches=0, wait_s=12.5), dispatcher=dispatcher
    )

    assert outcome is Outcome.NOT_CLAIMED  # given back to the lane untried
    assert counters.of(sandbox.realm_id)["writes"] == 0
    assert dispatcher.delays == {dispatcher.sent[0]: 12.5}
    with services.uow() as uow:
        job = uow.jobs.get(firm.id, job_ids[1])
    assert job is not None and job.state is JobState.QUEUED and job.attempts == 0


def test_a_message_whose_job_is_done_runs_the_lanes_oldest_due_sync(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    job_ids = add_accounts(services, firm, new_names(3))
    run(services, job_ids[0], room=Room(singles=100, batches=0))  # settles the first four
    more = add_accounts(services, firm, {"late": "Lane Late One"})

    assert run(services, job_ids[0]) is Outcome.NOT_CLAIMED  # its own job is done …
    assert statuses(services, firm, ["late"]) == {"late": SyncStatus.SYNCED}  # … the lane ran
    assert run(services, more[0]) is Outcome.NOT_CLAIMED


def test_a_lane_with_its_runs_at_work_leaves_a_message_to_them(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    job_ids = add_accounts(services, firm, new_names(LANE_RUNS + 1))
    now = datetime.now(UTC)
    with services.uow() as uow:  # LANE_RUNS runs hold a job each
        for n, job_id in enumerate(job_ids[:LANE_RUNS]):
            assert uow.jobs.claim(job_id, f"busy-{n}", now) is not None
        uow.commit()

    assert run(services, job_ids[LANE_RUNS]) is Outcome.DEFERRED

    with services.uow() as uow:
        job = uow.jobs.get(firm.id, job_ids[LANE_RUNS])
    assert job is not None and job.state is JobState.QUEUED and job.attempts == 0


def test_a_batch_resent_after_the_worker_died_between_sending_it_and_storing_its_answer_creates_nothing_twice(  # noqa: E501
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    names = {"twin-a": "Lane Twin", "twin-b": "Lane Twin", **new_names(5)}
    job_ids = add_accounts(services, firm, names)
    with pytest.raises(WorkerKilled):
        run(services, job_ids[0], connect=DiesAfter(services.qbo, "create_customers_in_batch"))
    assert len(named(sandbox, "Lane Twin")) == 1  # QBO made them; qbsync never heard
    counters = sandbox.state.throttle.counters
    counters.reset(sandbox.realm_id)
    customers_before = len(sandbox.state.customers(sandbox.realm_id))

    # The leases run out; the relay sends each job again, and another worker takes them.
    after_the_lease = lambda: datetime.now(UTC) + LEASE + timedelta(seconds=1)  # noqa: E731
    for job_id in reversed(job_ids):
        run(services, job_id, clock=after_the_lease, worker="w2")

    used = counters.of(sandbox.realm_id)
    assert used["batches"] == 1 and used["batch_items"] == 6  # the same batch, sent again
    assert used["reads"] == 0  # no name looked up: the batch recorded all it needed
    assert len(sandbox.state.customers(sandbox.realm_id)) == customers_before
    status = {e: get_account(services.uow(), firm.id, e) for e in names}
    assert {a.status for a in status.values()} == {SyncStatus.SYNCED}
    assert status["twin-a"].qbo_customer_id == status["twin-b"].qbo_customer_id
    for name in set(names.values()):
        assert len(named(sandbox, name)) == 1, name


def test_a_batch_whose_answer_was_lost_on_the_way_is_sent_again_by_the_retry(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    names = new_names(4)
    job_ids = add_accounts(services, firm, names)
    directory = CustomerDirectory()  # the list and type read already: the batch is the only call
    qbo = services.qbo(connection_of(services, firm))
    directory.index(sandbox.realm_id, qbo)
    directory.customer_type_id(sandbox.realm_id, "Individual", qbo)
    faults = f"{sandbox.url}/_sandbox/faults"
    httpx.put(faults, json={"drop_after": 1.0}).raise_for_status()  # QBO writes; no answer
    assert run(services, job_ids[0], directory=directory) is Outcome.RETRY_LATER
    httpx.put(faults, json={}).raise_for_status()
    assert all(len(named(sandbox, n)) == 1 for n in names.values())

    due_again = lambda: datetime.now(UTC) + timedelta(minutes=10)  # noqa: E731
    assert run(services, job_ids[0], clock=due_again) is Outcome.SYNCED

    assert set(statuses(services, firm, list(names)).values()) == {SyncStatus.SYNCED}
    assert all(len(named(sandbox, n)) == 1 for n in names.values())


def test_the_relay_sends_one_message_for_a_lane_not_one_per_job(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    job_ids = add_accounts(services, firm, new_names(12))
    dispatcher = RecordingDispatcher()
    assert relay_jobs(services.uow(), dispatcher, datetime.now(UTC)) == 0  # all in the queue

    later = datetime.now(UTC) + timedelta(minutes=6)  # their messages may have been lost
    assert relay_jobs(services.uow(), dispatcher, later) == 1
    assert dispatcher.sent == [job_ids[0]]
    assert relay_jobs(services.uow(), dispatcher, later) == 0  # the lane's message went


def test_a_lane_whose_hand_on_the_broker_refused_is_sent_by_the_relays_next_sweep(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    # Found by the CI chaos run: hand-ons refused while Redis was down left the lane's jobs
    # marked as sent, and the relay waited its five minutes before sending the lane again.
    job_ids = add_accounts(services, firm, new_names(LANE_RUNS + 10))
    down = RecordingDispatcher(down=True)

    run(services, job_ids[0], room=Room(singles=100, batches=0), dispatcher=down)

    assert down.tries == 1 and not down.sent
    relay = RecordingDispatcher()
    assert relay_jobs(services.uow(), relay, datetime.now(UTC) + timedelta(seconds=5)) == 1


def test_a_lane_handed_on_is_left_to_its_message_by_the_relay(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    job_ids = add_accounts(services, firm, new_names(LANE_RUNS + 10))
    dispatcher = RecordingDispatcher()

    run(services, job_ids[0], room=Room(singles=100, batches=0), dispatcher=dispatcher)

    assert len(dispatcher.sent) == 1  # the hand-on
    relay = RecordingDispatcher()
    assert relay_jobs(services.uow(), relay, datetime.now(UTC) + timedelta(seconds=5)) == 0
