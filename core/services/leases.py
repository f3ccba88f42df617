"""Keeping a live worker process's claims: the leases of the jobs it runs are renewed while it
lives, so that a lease can be short and a killed process's jobs are taken over soon."""

from __future__ import annotations

from datetime import datetime

from core.domain.jobs import LEASE_RENEWAL_LIMIT
from core.ports import UnitOfWork


def renew_process_leases(uow: UnitOfWork, owner_prefix: str, now: datetime) -> int:
    """Renew the leases of the running jobs this process claimed (their owner starts with
    `owner_prefix`) and wrote lately; return how many."""
    with uow:
        renewed = uow.jobs.renew_process_leases(owner_prefix, now, now - LEASE_RENEWAL_LIMIT)
        uow.commit()
    return renewed
