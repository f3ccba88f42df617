"""Where the dispatcher puts a job's message (worker.dispatch)."""

from __future__ import annotations

from datetime import UTC, datetime

from dramatiq import Message
from dramatiq.brokers.stub import StubBroker

from core.domain.jobs import Job, JobKind, JobState
from worker.dispatch import QUEUE, TAKEOVER_QUEUE, DramatiqDispatcher


def job(state: JobState) -> Job:
    return Job(
        id=f"job-{state.value}", firm_id=1, kind=JobKind.PUSH_INVOICE, target_type="invoice",
        target_id=7, created_at=datetime(2026, 12, 4, tzinfo=UTC), state=state,
    )  # fmt: skip


def test_a_dead_runs_job_goes_to_the_takeover_queue_and_a_queued_one_to_the_jobs_queue() -> None:
    broker = StubBroker()
    dispatcher = DramatiqDispatcher(broker)

    dispatcher.dispatch(job(JobState.RUNNING))  # the relay sends it: its run died
    dispatcher.dispatch(job(JobState.QUEUED))

    assert (job_ids(broker, TAKEOVER_QUEUE), job_ids(broker, QUEUE)) == (
        ["job-running"],
        ["job-queued"],
    )


def job_ids(broker: StubBroker, queue: str) -> list[str]:
    """The job ids of the messages waiting in one of the stub broker's queues."""
    waiting = broker.queues[queue].queue  # type: ignore[attr-defined]
    return [Message.decode(data).args[0] for data in waiting]
