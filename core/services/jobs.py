"""Reading jobs back, as the API reports them."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.jobs import Job
from core.domain.status_events import TARGET_TYPE
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
        return JobView(job=job, target_external_id=_target_key(uow, job))


def _target_key(uow: UnitOfWork, job: Job) -> str:
    """The firm's own name for a job's record: its external id, or a connection's realm."""
    if job.target_type == TARGET_TYPE:  # the firm's status-event subscription: one per firm
        return str(job.target_id)
    if job.target_type == "connection":
        connection = uow.connections.for_firm(job.firm_id)
        if connection is not None and connection.id == job.target_id:
            return connection.realm_id
        return str(job.target_id)  # disconnected or reconnected since
    records = {
        "account": uow.accounts.get_by_id,
        "invoice": uow.invoices.get_by_id,
        "payment": uow.payments.get_by_id,
    }
    found = records[job.target_type](job.target_id)
    assert found is not None
    return found.external_id
