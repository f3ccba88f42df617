"""The Dramatiq middleware that keeps a worker process's leases (core.services.leases).

A thread of the worker process renews every LEASE_RENEWAL the leases of the jobs the
messages at work claimed (worker.runtime notes each claim's owner, and forgets them when the
message ends, even by an exception); it starts with the worker and stops once its shutdown
is over: a stop's threads finish their messages for up to 20 s, and until they are done
their jobs are theirs. (Stopped when the shutdown began, a thread still at work lost its
leases within 20 s, another worker took its jobs over, and what the first thread wrote next
was fenced out: a payment batch's answers went unrecorded.)

A SIGKILLed process renews nothing, so its jobs are free one LEASE after its last renewal; a
message that ended by an exception (a shutdown's interruption, a time limit, a crash) hands
back the leases of the jobs it left unsettled at once, so its retry or another worker goes
on with them without waiting out the LEASE (a PaaS stop's interrupted jobs, in seconds).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware, Shutdown

from core.domain.jobs import LEASE_RENEWAL
from core.services.leases import end_owned_leases, renew_owned_leases
from worker.runtime import message_ended, owners_at_work, services

log = logging.getLogger(__name__)


class LeaseKeeper(Middleware):
    """Renews this worker process's leases while the worker runs."""

    def __init__(
        self,
        every_s: float = LEASE_RENEWAL.total_seconds(),
        renew: Callable[[], None] | None = None,
    ) -> None:
        self._every_s = every_s
        self._renew_once = renew or _renew_owned_leases
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def renewing(self) -> bool:
        """Whether the renewing thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name="lease-keeper", daemon=True)
        self._thread.start()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._every_s)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        owners = message_ended()
        if exception is None or not owners:
            return
        ran = services()
        try:
            interrupted = isinstance(exception, Shutdown)  # not the job's fault: not counted
            end_owned_leases(ran.uow(), owners, ran.clock(), interrupted=interrupted)
        except Exception:  # the database is away: the leases run out by themselves
            log.warning("handing back the leases of an interrupted message failed", exc_info=True)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        message_ended()

    def _renew(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._renew_once()
            except Exception:  # the database is away: the next round tries again
                log.warning("renewing this worker's leases failed", exc_info=True)


def _renew_owned_leases() -> None:
    ran = services()
    renew_owned_leases(ran.uow(), owners_at_work(), ran.clock())
