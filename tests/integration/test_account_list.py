"""The store's account list: every page as a plain slice would have it, and, on PostgreSQL,
the indexes of migration 0007 serving its queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from core.adapters.db.tables import accounts
from core.bootstrap import Services
from core.domain.status import SyncStatus
from core.services.firms import create_firm
from tests.servers import HAS_POSTGRES

STATUSES = [SyncStatus.SYNCED, SyncStatus.FAILED, SyncStatus.SYNCED, SyncStatus.NOT_SYNCED]


def a_firm_with_accounts(services: Services, count: int, name: str = "Firm") -> int:
    """A firm of `count` accounts named `Client <n>`, of the statuses in turn."""
    firm_id, _ = create_firm(services.uow(), name, services.clock())
    now = services.clock()
    rows = [
        {"firm_id": firm_id, "external_id": f"c-{n}", "name": f"Client {n}",
         "status": STATUSES[n % len(STATUSES)], "created_at": now, "updated_at": now}
        for n in range(count)
    ]  # fmt: skip
    with services.engine.begin() as connection:
        connection.execute(accounts.insert(), rows)
    with services.uow() as uow:  # loaded around the repository: counted afresh
        uow.accounts.recount(firm_id)
        uow.commit()
    return firm_id


def ids_in_order(services: Services, firm_id: int, status: SyncStatus | None) -> list[int]:
    query = sa.select(accounts.c.id).where(accounts.c.firm_id == firm_id).order_by(accounts.c.id)
    if status is not None:
        query = query.where(accounts.c.status == status)
    with services.engine.connect() as connection:
        return list(connection.scalars(query))


@pytest.mark.parametrize("status", [None, SyncStatus.SYNCED, SyncStatus.NOT_SYNCED])
def test_every_page_holds_what_a_slice_of_the_ordered_accounts_holds(
    services: Services, status: SyncStatus | None
) -> None:
    firm_id = a_firm_with_accounts(services, 23)
    a_firm_with_accounts(services, 5, "Other firm")  # its accounts are in no page
    expected = ids_in_order(services, firm_id, status)

    with services.uow() as uow:
        for limit in (1, 2, 5, 7, 50):
            for offset in range(len(expected) + 2):
                page, total = uow.accounts.list(firm_id, status=status, offset=offset, limit=limit)
                assert [a.id for a in page] == expected[offset : offset + limit], (offset, limit)
                assert total == len(expected)


def test_a_name_search_pages_like_the_rest(services: Services) -> None:
    firm_id = a_firm_with_accounts(services, 30)
    expected = [n for n in range(30) if "1" in str(n)]  # Client 1, 10-19, 21

    with services.uow() as uow:
        pages = [
            uow.accounts.list(firm_id, status=None, name_contains="NT 1", offset=o, limit=4)
            for o in (0, 4, 8)
        ]
        everything, total = uow.accounts.list(
            firm_id, status=None, name_contains="1", offset=0, limit=50
        )
    assert [a.name for a in pages[0][0]] == ["Client 1", *(f"Client {n}" for n in (10, 11, 12))]
    assert [a.name for a in pages[1][0]] == [f"Client {n}" for n in (13, 14, 15, 16)]
    assert [a.name for a in pages[2][0]] == [f"Client {n}" for n in (17, 18, 19)]
    assert {total for _, total in pages} == {11}
    assert [a.name for a in everything] == [f"Client {n}" for n in expected]
    assert total == len(expected)


@contextmanager
def statements_of(services: Services) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements and parameters the engine sends meanwhile."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(services.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(services.engine, "before_cursor_execute", record)


def vacuum_analyze(services: Services) -> None:
    """What autovacuum does in time: the planner's statistics, the GIN index's own, and the
    visibility map that lets a scan answer from an index alone."""
    with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE accounts"))


def plan_of(services: Services, statement: str, parameters: Any) -> str:
    """PostgreSQL's plan for a statement, where no sequential scan is cheaper than an index."""
    with services.engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        connection.rollback()
    return plan


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_name_search_is_served_by_the_trigram_index(services: Services) -> None:
    firm_id = a_firm_with_accounts(services, 2000)
    vacuum_analyze(services)

    with statements_of(services) as sent, services.uow() as uow:
        page, total = uow.accounts.list(
            firm_id, status=None, name_contains="1234", offset=0, limit=50
        )

    assert ([a.name for a in page], total) == (["Client 1234"], 1)
    count, rows = sent[-2:]
    for statement, parameters in (count, rows):
        assert "ix_accounts_lower_name_trgm" in plan_of(services, statement, parameters)


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_page_of_one_status_is_read_from_the_indexes(services: Services) -> None:
    firm_id = a_firm_with_accounts(services, 300)
    vacuum_analyze(services)
    with statements_of(services) as sent, services.uow() as uow:
        uow.accounts.list(firm_id, status=SyncStatus.FAILED, offset=10, limit=5)

    total, ids = (plan_of(services, *sent_one) for sent_one in sent[-2:])
    assert "account_counts" in total and " accounts " not in total  # the kept count, no count(*)
    assert "Index Only Scan using ix_accounts_firm_id_status_id " in ids
