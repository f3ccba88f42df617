"""Shutdown notifications that reach every thread.

Dramatiq 2.2.1's ShutdownNotifications raises Shutdown in each thread of its set while those
threads, as soon as they take the exception, remove themselves from that set: the loop then
stops on "Set changed size during iteration", and the threads after it are never told, so
their work runs on until the SIGKILL instead of being retried at once (seen under
`qbsync bench chaos`). This manager notifies a snapshot of the set.
"""

from __future__ import annotations

import dramatiq
from dramatiq.middleware.shutdown import (
    Shutdown,
    ShutdownNotifications,
    _CtypesShutdownManager,
)
from dramatiq.middleware.threading import raise_thread_exception


class SnapshotShutdownManager(_CtypesShutdownManager):
    def shutdown(self) -> None:
        for thread_id in list(self.notifications):
            self.logger.info("Worker shutdown: raising Shutdown in worker thread %r.", thread_id)
            raise_thread_exception(thread_id, Shutdown)  # type: ignore[no-untyped-call]


def notify_every_thread(broker: dramatiq.Broker) -> None:
    """Give `broker`'s ShutdownNotifications the manager that notifies every thread."""
    for middleware in broker.middleware:
        if isinstance(middleware, ShutdownNotifications) and isinstance(
            middleware.manager, _CtypesShutdownManager
        ):
            middleware.manager = SnapshotShutdownManager(middleware.logger)  # type: ignore[no-untyped-call]
