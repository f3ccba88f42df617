"""A live worker keeps its claims: its process renews every lease its runs hold, in one
statement; a claim no run holds any more (its worker died, or the run ended) lapses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE
from core.services.accounts import put_account
from core.services.bulk_sync import Selection, bulk_sync
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher
from worker.leases import LeaseRenewer

ACCOUNTS = {"r-1": "Renewed One", "r-2": "Renewed Two", "r-3": "Renewed Three"}


@pytest.fixture
def job_ids(services: Services, firm: Firm) -> list[str]:
    for external_id, name in ACCOUNTS.items():
        put_account(services.uow(), firm.id, external_id, name, services.clock())
    result = bulk_sync(
        services.uow(), RecordingDispatcher(), firm.id,
        Selection(external_ids=list(ACCOUNTS)), services.clock(),
    )  # fmt: skip
    return [item.job_id for item in result.items if item.job_id]


def claim(services: Services, job_id: str, owner: str, now: datetime) -> None:
    with services.uow() as uow:
        assert uow.jobs.claim(job_id, owner, now) is not None
        uow.commit()


def lease_until(services: Services, firm: Firm, job_id: str) -> datetime | None:
    with services.uow() as uow:
        job = uow.jobs.get(firm.id, job_id)
        assert job is not None
        return job.lease_until


def test_renewing_by_claim_extends_every_running_job_of_those_claims_and_no_other(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    now = services.clock()
    claim(services, job_ids[0], "run-a", now)
    claim(services, job_ids[1], "run-b", now)  # another run's, not renewed
    later = now + timedelta(seconds=15)

    with services.uow() as uow:
        renewed = uow.jobs.renew_held_by(["run-a", "run-gone"], later)
        uow.commit()

    assert renewed == 1  # not run-b's job, not the queued one
    assert lease_until(services, firm, job_ids[0]) == later + LEASE
    assert lease_until(services, firm, job_ids[1]) == now + LEASE
    assert lease_until(services, firm, job_ids[2]) is None


def test_the_renewer_keeps_the_claims_its_runs_hold_and_lets_the_others_lapse(
    services: Services, firm: Firm, job_ids: list[str]
) -> None:
    now = services.clock()
    clock = [now + timedelta(seconds=10)]
    renewer = LeaseRenewer(services.uow, lambda: clock[0], every_s=3600)  # rounds by hand
    claim(services, job_ids[0], "run-a", now)
    claim(services, job_ids[1], "run-b", now)  # its worker died: nobody holds it

    with renewer.held("run-a"):
        assert renewer.renew_once() == 1
        assert lease_until(services, firm, job_ids[0]) == clock[0] + LEASE
    clock[0] += timedelta(seconds=10)
    assert renewer.renew_once() == 0  # the run ended: its claim is no longer kept
    renewer.stop()

    assert lease_until(services, firm, job_ids[0]) == now + timedelta(seconds=10) + LEASE
    assert lease_until(services, firm, job_ids[1]) == now + LEASE
