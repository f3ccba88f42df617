"""A live worker process keeps the leases of the jobs it runs (core.services.leases): short
leases, so a killed process's jobs are taken over within seconds (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE, LEASE_RENEWAL_LIMIT, MAX_ATTEMPTS
from core.services.accounts import put_account
from core.services.bulk_sync import Selection, bulk_sync
from core.services.job_runs import gave_up_error
from core.services.leases import end_owned_leases, renew_owned_leases
from core.services.relay import REPUBLISH_AFTER, relay_jobs
from tests.billing import linked_account, new_invoice
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher


@pytest.fixture
def job_ids(services: Services, firm: Firm) -> list[str]:
    names = ["Lease One", "Lease Two", "Lease Three", "Lease Four"]
    for n, name in enumerate(names):
        put_account(services.uow(), firm.id, f"l-{n}", name, services.clock())
    result = bulk_sync(
        services.uow(), RecordingDispatcher(), firm.id,
        Selection(external_ids=[f"l-{n}" for n in range(len(names))]), services.clock(),
    )  # fmt: skip
    return [item.job_id for item in result.items if item.job_id]


def claim(services: Services, job_id: str, owner: str) -> None:
    with services.uow() as uow:
        assert uow.jobs.claim(job_id, owner, services.clock()) is not None
        uow.commit()


def lease_until(services: Services, firm: Firm, job_id: str) -> object:
    with services.uow() as uow:
        job = uow.jobs.get(firm.id, job_id)
        assert job is not None
        return job.lease_until


def test_a_process_renews_the_leases_of_the_jobs_its_messages_at_work_hold_and_no_other(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    claim(services, job_ids[0], "host:7:aaaa")
    claim(services, job_ids[1], "host:7:bbbb")
    claim(services, job_ids[2], "host:7:cccc")  # its message ended, by an exception say
    before = {job_id: lease_until(services, firm, job_id) for job_id in job_ids}
    later = services.clock() + timedelta(seconds=15)

    renewed = renew_owned_leases(services.uow(), ["host:7:aaaa", "host:7:bbbb"], later)

    assert renewed == 2
    assert lease_until(services, firm, job_ids[0]) == later + LEASE
    assert lease_until(services, firm, job_ids[1]) == later + LEASE
    assert lease_until(services, firm, job_ids[2]) == before[job_ids[2]]  # not at work
    assert lease_until(services, firm, job_ids[3]) == before[job_ids[3]]  # queued, unclaimed


def test_a_job_that_stopped_writing_is_not_renewed_and_its_lease_lapses(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    claim(services, job_ids[0], "host:7:aaaa")
    wedged_since = services.clock() + LEASE_RENEWAL_LIMIT + timedelta(seconds=1)

    renewed = renew_owned_leases(services.uow(), ["host:7:aaaa"], wedged_since)

    assert renewed == 0
    with services.uow() as uow:  # another worker takes it over once the lease has run out
        assert uow.jobs.claim(job_ids[0], "host:8:bbbb", wedged_since) is not None


def test_a_dead_runs_jobs_of_a_lane_are_taken_over_by_the_lanes_next_run(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    now = services.clock()
    with services.uow() as uow:
        lane = uow.jobs.lane_of(job_ids[0])
        assert lane is not None
        dead = uow.jobs.claim_lane(firm.id, lane[1], "dead:1:aaaa", now, 10)
        uow.commit()
    after = now + LEASE + timedelta(seconds=1)

    with services.uow() as uow:
        head = uow.jobs.next_in_lane(firm.id, lane[1], after)
        taken = uow.jobs.claim_lane(firm.id, lane[1], "live:2:bbbb", after, 10)
        uow.commit()

    assert len(dead) == len(job_ids)  # the dead run held the whole lane
    assert head is not None and head.id in job_ids
    assert {job.id for job in taken} == set(job_ids)


def test_a_job_claimed_before_its_send_is_noted_is_not_marked_in_the_queues_care(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    claim(services, job_ids[0], "w:1:aaaa")

    with services.uow() as uow:  # the sender notes the message after the worker took it
        uow.jobs.mark_published(job_ids[0], services.clock())
        uow.commit()

    with services.uow() as uow:
        job = uow.jobs.get(firm.id, job_ids[0])
        assert job is not None and job.published_at is None  # the relay still watches it


def test_the_leases_of_a_message_that_ended_by_an_exception_are_handed_back_at_once(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    claim(services, job_ids[0], "host:7:aaaa")  # the interrupted message's claim
    claim(services, job_ids[1], "host:7:bbbb")  # another message, still at work
    now = services.clock()

    ended = end_owned_leases(services.uow(), ["host:7:aaaa"], now)

    assert ended == 1
    with services.uow() as uow:  # taken over now, not one LEASE later
        assert uow.jobs.claim(job_ids[0], "host:8:cccc", now + timedelta(seconds=1)) is not None
        assert uow.jobs.claim(job_ids[1], "host:8:cccc", now + timedelta(seconds=1)) is None


def test_a_job_of_no_lane_given_back_untried_is_left_for_the_relay_to_send(
    services: Services, firm: Firm
) -> None:
    account_id = linked_account(services, firm, "rel-1", "Released Payments Ltd")
    _, job = new_invoice(services, firm, account_id, "rel-i-1")
    assert job is not None and job.lane is None
    now = services.clock()
    claim(services, job.id, "w:1:aaaa")

    with services.uow() as uow:
        assert uow.jobs.release([job.id], "w:1:aaaa", now) == 1
        uow.commit()

    with services.uow() as uow:  # the relay's next sweep sends it, not one five minutes on
        due = uow.jobs.due_for_relay(now, now - REPUBLISH_AFTER, 100)
    assert job.id in {found.id for found in due}


def test_a_dead_runs_job_is_sent_once_by_the_relay_not_at_every_sweep(
    services: Services, firm: Firm
) -> None:
    account_id = linked_account(services, firm, "dead-1", "Dead Run Ltd")
    _, job = new_invoice(services, firm, account_id, "dead-i-1")
    assert job is not None
    claim(services, job.id, "dead:1:aaaa")
    expired = services.clock() + LEASE + timedelta(seconds=1)
    dispatcher = RecordingDispatcher()

    relay_jobs(services.uow(), dispatcher, expired)
    relay_jobs(services.uow(), dispatcher, expired + timedelta(seconds=5))  # the next sweep

    assert dispatcher.sent.count(job.id) == 1


def test_the_relay_sends_a_dead_runs_job_ahead_of_a_backlog_of_queued_ones(
    services: Services, firm: Firm
) -> None:
    account_id = linked_account(services, firm, "first-1", "Dead Runs First Ltd")
    queued = [new_invoice(services, firm, account_id, f"first-i-{n}")[1] for n in range(3)]
    _, newest = new_invoice(services, firm, account_id, "first-i-3")
    assert newest is not None and all(job is not None for job in queued)
    claim(services, newest.id, "dead:1:aaaa")
    expired = services.clock() + LEASE + timedelta(seconds=1)
    dispatcher = RecordingDispatcher()

    relay_jobs(services.uow(), dispatcher, expired, limit=1)  # room for one message only

    assert dispatcher.sent == [newest.id]  # not the oldest queued job


def test_a_relay_sweep_stops_at_the_first_send_the_broker_refuses(
    services: Services, firm: Firm
) -> None:
    account_id = linked_account(services, firm, "down-1", "Broker Down Ltd")
    for n in range(3):
        new_invoice(services, firm, account_id, f"down-i-{n}")
    dispatcher = RecordingDispatcher(down=True)

    sent = relay_jobs(services.uow(), dispatcher, services.clock())

    assert (sent, dispatcher.tries) == (0, 1)  # not one refused connection per job
    dispatcher.down = False
    assert relay_jobs(services.uow(), dispatcher, services.clock()) == 3  # the next sweep


@pytest.mark.parametrize("interrupted", [True, False])
def test_attempts_a_workers_stop_interrupted_do_not_count_towards_giving_up(
    services: Services, firm: Firm, interrupted: bool
) -> None:
    account_id = linked_account(services, firm, f"stop-{interrupted}", "Stopped Often Ltd")
    _, job = new_invoice(services, firm, account_id, f"stop-i-{interrupted}")
    assert job is not None
    now = services.clock()
    for n in range(MAX_ATTEMPTS + 1):  # a stop (or a crash) during every attempt
        now += timedelta(seconds=1)
        with services.uow() as uow:
            assert uow.jobs.claim(job.id, f"w:{n}:aaaa", now) is not None
            uow.commit()
        end_owned_leases(services.uow(), [f"w:{n}:aaaa"], now, interrupted=interrupted)

    with services.uow() as uow:
        left = uow.jobs.get(firm.id, job.id)
    assert left is not None and left.attempts == MAX_ATTEMPTS + 1  # a retry still looks up
    assert (gave_up_error(left) is None) is interrupted
