"""Keeping a live worker process's claims: the leases of the jobs its messages at work hold
are renewed while they run, so that a lease can be short and a killed process's jobs are
taken over soon."""

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
