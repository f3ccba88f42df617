"""The PostgreSQL engine pings a pooled connection that rested, and only such a one."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from core.adapters.db import unit_of_work
from core.bootstrap import Services
from tests.servers import HAS_POSTGRES, POSTGRES_URL

pytestmark = [
    pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


def backend_pid(services: Services) -> int:
    with services.engine.connect() as connection:
        pid: int = connection.scalar(sa.text("SELECT pg_backend_pid()"))
        return pid


def counting_pings(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    pings: list[object] = []
    dialect = services.engine.dialect
    ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


def test_a_connection_killed_while_it_rested_is_replaced_before_it_is_used(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unit_of_work, "PING_AFTER_IDLE", 0.0)
    killed = backend_pid(services)
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
    admin.dispose()

    assert backend_pid(services) != killed


def test_a_connection_used_a_moment_ago_is_not_pinged_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unit_of_work, "PING_AFTER_IDLE", 60.0)
    first = backend_pid(services)
    pings = counting_pings(services, monkeypatch)

    assert backend_pid(services) == first
    assert pings == []

    monkeypatch.setattr(unit_of_work, "PING_AFTER_IDLE", 0.0)
    assert backend_pid(services) == first
    assert len(pings) == 1
