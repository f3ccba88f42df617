"""The Dramatiq broker, built from settings.

Settings follow design/jobs.md §5: a short heartbeat and maintenance on every command so a
SIGKILLed worker's messages come back within seconds, not twenty minutes, and shutdown
notifications (the actors' `notify_shutdown`) so a PaaS stop (SIGTERM, then SIGKILL 30 s
later) interrupts and requeues work instead of stranding it (worker.shutdown makes them
reach every thread).
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from core.config import Settings
from worker.shutdown import notify_every_thread

# A worker that stops heartbeating for this long is presumed dead and its messages requeued.
HEARTBEAT_TIMEOUT_MS = 20_000
# Out of a million commands: requeue dead workers' messages on every one (Redis does little).
MAINTENANCE_CHANCE = 1_000_000


def build_broker(settings: Settings) -> dramatiq.Broker:
    """Redis when REDIS_URL is set, else the in-process broker of the embedded default."""
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=settings.redis_url,
            namespace=settings.redis_namespace,
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    else:
        broker = StubBroker()
    notify_every_thread(broker)
    return broker
