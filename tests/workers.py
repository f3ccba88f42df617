"""A Dramatiq worker inside the test process, running the real actors on the test's services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq

from core.bootstrap import Services
from tests.servers import QUICK_POLL_MS
from worker.actors import declare_actors
from worker.runtime import install_services


@contextmanager
def in_process_worker(
    broker: dramatiq.Broker, services: Services, threads: int = 2
) -> Iterator[None]:
    """Declare the actors on `broker` and consume it until the block ends."""
    declare_actors(broker)
    install_services(services)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=QUICK_POLL_MS)
    worker.start()
    try:
        yield
    finally:
        worker.stop()
        install_services(None)
