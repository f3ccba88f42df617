"""The Alembic migrations build exactly the schema the code maps, on every backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.adapters.db.migrate import alembic_config, upgrade
from core.adapters.db.tables import metadata
from core.bootstrap import Services
from core.domain.jobs import Job, JobKind, JobState, new_job_id
from core.errors import ConflictError
from core.services.firms import create_firm
from tests.conftest import DB_BACKENDS
from tests.servers import HAS_POSTGRES, POSTGRES_URL

ACCOUNT_SEARCH = "0008"  # the revision of migrations/versions/0008_account_search.py
LIST_INDEXES = {"ix_accounts_firm_id_status_id", "ix_accounts_firm_id_id"}
TRIGRAM_INDEX = "ix_accounts_lower_name_trgm"


# SQLite cannot reflect expression indexes, so Alembic leaves the trigram index (PostgreSQL
# only, as the tables declare it) out of SQLite's comparison, with this warning; the PostgreSQL
# run compares it.
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index "
    "'ix_accounts_lower_name_trgm'; dialect 'sqlite'"
)
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


@pytest.fixture(params=DB_BACKENDS)
def unmigrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, without any migration applied."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qbsync.sqlite3'}"
        return
    name = f"qbsync_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def account_indexes(database_url: str) -> dict[str, str]:
    """The accounts table's indexes by name, with their definitions on PostgreSQL."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t")
            found = {
                name: definition
                for name, definition in connection.execute(query, {"t": "accounts"})
            }
        else:
            found = {
                index["name"] or "": "" for index in sa.inspect(connection).get_indexes("accounts")
            }
    engine.dispose()
    return found


def revision_before(revision: str) -> str:
    """The revision the given one upgrades from."""
    down = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
    assert down is not None and isinstance(down.down_revision, str)
    return down.down_revision


def test_the_account_search_migration_adds_the_list_indexes_and_its_downgrade_removes_them(
    unmigrated_database_url: str,
) -> None:
    url = unmigrated_database_url
    upgrade(url, revision_before(ACCOUNT_SEARCH))
    before = set(account_indexes(url))

    upgrade(url, ACCOUNT_SEARCH)
    added = account_indexes(url)
    command.downgrade(alembic_config(url), revision_before(ACCOUNT_SEARCH))
    after_downgrade = set(account_indexes(url))
    upgrade(url)

    postgresql = url.startswith("postgresql")
    assert set(added) - before == LIST_INDEXES | ({TRIGRAM_INDEX} if postgresql else set())
    assert after_downgrade == before
    assert set(account_indexes(url)) == set(added)
    if postgresql:
        assert "USING gin (lower((name)::text) gin_trgm_ops)" in added[TRIGRAM_INDEX]
        assert set(accounts_storage(url)) == {
            "autovacuum_vacuum_scale_factor=0.01",
            "autovacuum_vacuum_insert_scale_factor=0.01",
        }


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("unmigrated_database_url", ["postgresql"], indirect=True)
def test_the_account_search_downgrade_gives_accounts_the_default_autovacuum_again(
    unmigrated_database_url: str,
) -> None:
    upgrade(unmigrated_database_url, ACCOUNT_SEARCH)
    command.downgrade(alembic_config(unmigrated_database_url), revision_before(ACCOUNT_SEARCH))

    assert accounts_storage(unmigrated_database_url) == []


def accounts_storage(database_url: str) -> list[str]:
    """The accounts table's storage parameters on PostgreSQL (`name=value`)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        query = sa.text("SELECT reloptions FROM pg_class WHERE relname = 'accounts'")
        options: list[str] = connection.scalar(query) or []
    engine.dispose()
    return options
