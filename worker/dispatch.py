"""Hands recorded jobs to Dramatiq: a message that only says "run job X"."""

from __future__ import annotations

import dramatiq
from redis import Redis

from core.domain.jobs import Job, JobKind

QUEUE = "jobs"


class DramatiqDispatcher:
    """The JobDispatcher port over a Dramatiq broker; the actor is named for the job's kind."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker
        broker.declare_queue(QUEUE)

    def dispatch(self, job: Job, *, delay_seconds: float = 0.0) -> None:
        """Enqueue the job's message; raises when the broker cannot be reached.

        A delayed message waits in Dramatiq's delay queue: only short waits go there (a
        lane's run waiting for QBO's minute to open); SQL keeps the job either way.
        """
        delay = int(delay_seconds * 1000) or None
        self._broker.enqueue(message_for(job.id, job.kind), delay=delay)

    def ping(self) -> None:
        """Raise unless the broker answers."""
        client = getattr(self._broker, "client", None)
        if isinstance(client, Redis):
            client.ping()


def message_for(job_id: str, kind: JobKind) -> dramatiq.Message[None]:
    return dramatiq.Message(
        queue_name=QUEUE, actor_name=kind.value, args=(job_id,), kwargs={}, options={}
    )
