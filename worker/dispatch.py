"""Hands recorded jobs to Dramatiq: a message that only says "run job X"."""

from __future__ import annotations

import dramatiq
from redis import Redis

from core.domain.jobs import Job, JobKind, JobState, Lane

QUEUE = "jobs"
# The messages that take over a dead run's job. A queue of their own, which every worker
# consumes beside `jobs`: at the back of `jobs` they waited behind a bulk sync's thousand
# messages while QBO's limits paced it (qbsync bench chaos: up to 366 s from a worker's
# SIGKILL to its jobs being taken over; issue 17 asks for 60).
TAKEOVER_QUEUE = "takeovers"


class DramatiqDispatcher:
    """The JobDispatcher port over a Dramatiq broker; the actor is named for the job's kind."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker
        broker.declare_queue(QUEUE)
        broker.declare_queue(TAKEOVER_QUEUE)

    def dispatch(self, job: Job, *, delay_seconds: float = 0.0) -> None:
        """Enqueue the job's message; raises when the broker cannot be reached.

        A delayed message waits in Dramatiq's delay queue: only short waits go there (a
        lane's run waiting for QBO's minute to open); SQL keeps the job either way.
        """
        delay = int(delay_seconds * 1000) or None
        queue = TAKEOVER_QUEUE if job.state is JobState.RUNNING else QUEUE
        self._broker.enqueue(message_for(job.id, job.kind, lane_hint(job), queue), delay=delay)

    def ping(self) -> None:
        """Raise unless the broker answers."""
        client = getattr(self._broker, "client", None)
        if isinstance(client, Redis):
            client.ping()


def message_for(
    job_id: str, kind: JobKind, lane: str | None = None, queue: str = QUEUE
) -> dramatiq.Message[None]:
    """The message that says "run job X"; a job of a lane says which, as a hint (see
    core.services.lane_runs). Only the relay sends a job that is RUNNING (its run died), and
    that one goes to TAKEOVER_QUEUE."""
    kwargs = {} if lane is None else {"lane": lane}
    return dramatiq.Message(
        queue_name=queue, actor_name=kind.value, args=(job_id,), kwargs=kwargs, options={}
    )


def lane_hint(job: Job) -> str | None:
    """The job's lane as a message carries it: "<firm id>:<lane>"."""
    return None if job.lane is None else f"{job.firm_id}:{job.lane.value}"


def lane_of_hint(hint: str | None) -> tuple[int, Lane] | None:
    """The firm and lane a message's hint names; None for none, or one it cannot read."""
    firm, _, lane = (hint or "").partition(":")
    try:
        return int(firm), Lane(lane)
    except ValueError:
        return None
