"""The Alembic migrations build exactly the schema the code maps, on every backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.adapters.db.tables import metadata
from core.bootstrap import Services
from core.domain.jobs import Job, JobKind, JobState, new_job_id
from core.errors import ConflictError
from core.services.firms import create_firm


def test_the_migrated_schema_matches_the_tables_the_code_maps(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_the_database_refuses_a_second_active_job_for_one_record(services: Services) -> None:
    firm_id, _ = create_firm(services.uow(), "Firm", services.clock())

    def add_job(state: JobState) -> None:
        with services.uow() as uow:
            uow.jobs.add(
                Job(id=new_job_id(), firm_id=firm_id, kind=JobKind.SYNC_ACCOUNT,
                    target_type="account", target_id=1, created_at=services.clock(), state=state)
            )  # fmt: skip
            uow.commit()

    add_job(JobState.SUCCEEDED)
    add_job(JobState.QUEUED)  # finished jobs do not count
    with pytest.raises(ConflictError):
        add_job(JobState.RUNNING)
