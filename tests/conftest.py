"""Shared fixtures: a migrated database per backend, the sandbox over loopback, a firm."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from core.adapters.crypto import generate_key
from core.adapters.db.migrate import upgrade
from core.adapters.db.tables import metadata
from core.bootstrap import Services, build_services
from core.config import Settings
from core.services.firms import connect_firm, create_firm
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from tests.servers import HAS_POSTGRES, HAS_REDIS, POSTGRES_URL, REQUIRE_SERVERS

# Tokens in the test databases are sealed with this key; worker processes get it too.
TEST_ENCRYPTION_KEY = generate_key()
DB_BACKENDS = ["sqlite", *(["postgresql"] if HAS_POSTGRES else [])]


def pytest_report_header() -> list[str]:
    return [
        f"qbsync test servers: PostgreSQL {'yes' if HAS_POSTGRES else 'no (SQLite only)'}, "
        f"Redis {'yes' if HAS_REDIS else 'no (fakeredis)'}"
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVERS and not (HAS_POSTGRES and HAS_REDIS):
        raise pytest.UsageError(
            "QBSYNC_REQUIRE_SERVERS=1 but PostgreSQL or Redis does not answer "
            f"(PostgreSQL: {HAS_POSTGRES}, Redis: {HAS_REDIS})"
        )


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'qbsync.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end."""
    name = f"qbsync_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DB_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database on each backend this machine has."""
    return empty_database(request.getfixturevalue(f"{request.param}_database"))


def empty_database(url: str) -> str:
    """Empty every table of the migrated database at `url`; return the url."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
    return url


@contextmanager
def built_services(settings: Settings, **parts: Any) -> Iterator[Services]:
    """Services built from `settings` (and `parts`, as build_services takes them), their
    database connections closed afterwards."""
    built = build_services(settings, **parts)
    try:
        yield built
    finally:
        built.engine.dispose()


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    settings = Settings(database_url=database_url, encryption_keys=(TEST_ENCRYPTION_KEY,))
    with built_services(settings, qbo=None) as built:
        yield built


@dataclass
class Sandbox:
    state: SandboxState
    url: str
    realm_id: str


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The bundled QBO sandbox with the demo company, served over loopback HTTP."""
    state = SandboxState()
    realm_id = seed_demo_company(state)
    with SandboxServer(state) as server:
        yield Sandbox(state=state, url=server.url, realm_id=realm_id)


OAUTH_REDIRECT = "http://localhost:8000/v1/connection/callback"


def sandbox_oauth_settings(database_url: str, sandbox: Sandbox, **more: Any) -> Settings:
    """Settings with Intuit's OAuth (and the Accounting API) at the sandbox, whose demo app
    accepts OAUTH_REDIRECT: for connecting and disconnecting through the API."""
    seed_demo_oauth_client(sandbox.state, [OAUTH_REDIRECT])
    return Settings(
        database_url=database_url,
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        qbo_client_id=DEMO_CLIENT_ID,
        qbo_client_secret=DEMO_CLIENT_SECRET,
        qbo_redirect_uri=OAUTH_REDIRECT,
        qbo_discovery_url=f"{sandbox.url}/.well-known/openid_sandbox_configuration",
        qbo_api_base_url=sandbox.url,
        **more,
    )


@dataclass
class Firm:
    id: int
    api_key: str


def connected_firm(services: Services, sandbox: Sandbox, name: str = "Test firm") -> Firm:
    firm_id, key = create_firm(services.uow(), name, services.clock())
    connect_firm(
        services.uow(),
        services.vault,
        firm_id,
        realm_id=sandbox.realm_id,
        api_base_url=sandbox.url,
        access_token=DEMO_ACCESS_TOKEN,
        now=services.clock(),
    )
    return Firm(id=firm_id, api_key=key)


@pytest.fixture
def firm(services: Services, sandbox: Sandbox) -> Firm:
    """A firm connected to the sandbox's demo company."""
    return connected_firm(services, sandbox)
