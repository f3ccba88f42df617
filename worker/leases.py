"""The Dramatiq middleware that keeps a worker process's leases (core.services.leases).

A thread of the worker process renews every LEASE_RENEWAL the leases of the jobs the
process's threads run; it starts with the worker and stops at its shutdown. A SIGKILLed
process renews nothing, so its jobs are free one LEASE after its last renewal.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from core.domain.jobs import LEASE_RENEWAL
from core.services.leases import renew_process_leases
from worker.runtime import process_owner_prefix, services

log = logging.getLogger(__name__)


class LeaseKeeper(Middleware):
    """Renews this worker process's leases while the worker runs."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name="lease-keeper", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.set()

    def _renew(self) -> None:
        prefix = process_owner_prefix()
        while not self._stop.wait(LEASE_RENEWAL.total_seconds()):
            ran = services()
            try:
                renew_process_leases(ran.uow(), prefix, ran.clock())
            except Exception:  # the database is away: the next round tries again
                log.warning("renewing this worker's leases failed", exc_info=True)
