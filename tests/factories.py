"""Factories: records in the real store, in the state a test needs, with defaults."""

from __future__ import annotations

import sqlalchemy as sa

from core.adapters.db.tables import customer_merges, jobs, status_changes
from core.bootstrap import Services
from core.domain.status import SyncStatus
from core.services.accounts import put_account


def a_linked_account(
    services: Services,
    firm_id: int,
    external_id: str,
    customer_id: str | None,
    *,
    status: SyncStatus = SyncStatus.SYNCED,
    name: str | None = None,
) -> int:
    """An account in `status`, linked to QBO customer `customer_id`; returns its id."""
    account, _ = put_account(
        services.uow(), firm_id, external_id, name or f"Client {external_id}", services.clock()
    )
    with services.uow() as uow:
        stored = uow.accounts.get_by_id(account.id or 0)
        assert stored is not None and stored.id is not None
        stored.status = status  # set, not moved: the firm's kept counts are counted again
        stored.qbo_customer_id = customer_id
        uow.flush()
        uow.accounts.recount(firm_id)
        uow.commit()
        return stored.id


def row_counts(services: Services) -> dict[str, int]:
    """How many jobs, merges and history entries the store holds."""
    return count_rows(services, jobs, customer_merges, status_changes)


def count_rows(services: Services, *tables: sa.Table) -> dict[str, int]:
    """How many rows each of `tables` holds, by table name."""
    with services.engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in tables
        }
