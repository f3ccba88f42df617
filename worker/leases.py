"""Keeping the claims of a live worker process: a thread renews every lease its runs hold.

A claim's lease (core.domain.jobs.LEASE) is short, so that a SIGKILLed worker's jobs come
back within seconds; while the process lives, this thread extends the leases of all its
running claims every LEASE_RENEWAL in one statement, however long a job waits on QBO.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from core.domain.jobs import LEASE_RENEWAL
from core.ports import UnitOfWork

log = logging.getLogger(__name__)


class LeaseRenewer:
    """The claims this process's runs hold, renewed by a daemon thread of its own.

    The thread starts with the first claim held, in the process that runs it (Dramatiq forks
    its worker processes after importing the actors' module), and stops with the process.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Callable[[], datetime],
        every_s: float = LEASE_RENEWAL.total_seconds(),
    ) -> None:
        self._uow, self._clock, self._every_s = uow, clock, every_s
        self._owners: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @contextmanager
    def held(self, owner: str) -> Iterator[None]:
        """Renew the leases of claim `owner` while the block runs, however it ends."""
        with self._lock:
            self._owners.add(owner)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lease-renewer", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._owners.discard(owner)

    def renew_once(self) -> int:
        """Extend the leases every held claim has now; how many jobs they hold."""
        with self._lock:
            owners = sorted(self._owners)
        if not owners:
            return 0
        uow = self._uow()
        with uow:
            renewed = uow.jobs.renew_held_by(owners, self._clock())
            uow.commit()
        return renewed

    def stop(self) -> None:
        """End the thread (tests; a worker process just exits)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        # Event.wait is the renewal period, not a synchronisation: stop() cuts it short.
        while not self._stopped.wait(self._every_s):
            try:
                self.renew_once()
            except Exception:  # the database is away for a moment: the next round tries again
                log.warning("renewing the leases of this worker's jobs failed", exc_info=True)
