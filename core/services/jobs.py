"""Reading jobs back, as the API reports them."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.jobs import Job
from core.errors import NotFoundError
from core.ports import UnitOfWork


@dataclass(frozen=True)
class JobView:
    """A job with the firm's own id of the record it works on."""

    job: Job
    target_external_id: str


def get_job(uow: UnitOfWork, firm_id: int, job_id: str) -> JobView:
    """One job of the firm, or NotFoundError."""
    with uow:
        job = uow.jobs.get(firm_id, job_id)
        if job is None:
            raise NotFoundError("job", job_id)
        account = uow.accounts.get_by_id(job.target_id)
        assert account is not None
        return JobView(job=job, target_external_id=account.external_id)
