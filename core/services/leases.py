"""Keeping a live worker process's claims: the leases of the jobs its messages at work hold
are renewed while they run, so that a lease can be short and a killed process's jobs are
taken over soon; a message that ended without settling its jobs hands their leases back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.domain.jobs import LEASE_RENEWAL_LIMIT
from core.ports import UnitOfWork


def renew_owned_leases(uow: UnitOfWork, owners: Sequence[str], now: datetime) -> int:
    """Renew the leases of the running jobs claimed under `owners` (the claims of the
    messages this process is working on) and written lately; return how many."""
    if not owners:
        return 0
    with uow:
        renewed = uow.jobs.renew_owned_leases(owners, now, now - LEASE_RENEWAL_LIMIT)
        uow.commit()
    return renewed


def end_owned_leases(
    uow: UnitOfWork, owners: Sequence[str], now: datetime, *, interrupted: bool = False
) -> int:
    """End the leases still held under `owners`, the claims of a message that ended by an
    exception (a shutdown's interruption, a time limit, a crash): the job's retry, or another
    worker, takes it over now rather than one LEASE later; return how many. `interrupted`:
    a worker's stop cut the attempt short, so it does not count towards MAX_ATTEMPTS."""
    if not owners:
        return 0
    with uow:
        ended = uow.jobs.end_owned_leases(owners, now, interrupted=interrupted)
        uow.commit()
    return ended
