"""The kept counts of accounts per status stay equal to counting the accounts, whatever moved
them: creation, bulk syncs settled by a lane, failures, unsyncs, a rolled-back change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.adapters.db.tables import accounts
from core.bootstrap import Services
from core.domain.records import Account
from core.domain.status import SyncStatus
from core.errors import ConflictError
from core.services.accounts import put_account, unsync_account
from core.services.bulk_sync import Selection, bulk_sync
from core.services.customers import CustomerDirectory
from core.services.sync_account import run_sync_account
from tests.conftest import Firm, Sandbox, connected_firm
from tests.fakes import RecordingDispatcher


def counted(services: Services, firm_id: int) -> dict[SyncStatus, int]:
    query = (
        sa.select(accounts.c.status, sa.func.count())
        .where(accounts.c.firm_id == firm_id)
        .group_by(accounts.c.status)
    )
    with services.engine.connect() as connection:
        return {SyncStatus(status): n for status, n in connection.execute(query)}


def kept(services: Services, firm_id: int) -> dict[SyncStatus, int]:
    with services.uow() as uow:
        return uow.accounts.count_by_status(firm_id)


def test_the_kept_counts_follow_every_move_of_the_accounts(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    other = connected_firm(services, sandbox, "Other firm")
    names = {"cars": "Cool Cars", "new": "Counted New", "near": "Melton, John", "bad": "A:B"}
    for external_id, name in names.items():
        put_account(services.uow(), firm.id, external_id, name, services.clock())
    put_account(services.uow(), other.id, "x", "Elsewhere", services.clock())
    assert kept(services, firm.id) == counted(services, firm.id) == {SyncStatus.NOT_SYNCED: 4}

    result = bulk_sync(
        services.uow(), RecordingDispatcher(), firm.id, Selection(external_ids=list(names)),
        services.clock(),
    )  # fmt: skip
    assert kept(services, firm.id) == {SyncStatus.SYNCING: 4}
    job_id = result.items[0].job_id
    assert job_id is not None
    run_sync_account(services.uow(), services.qbo, job_id, "w", services.clock,
                     CustomerDirectory())  # fmt: skip
    unsync_account(services.uow(), firm.id, "cars", services.clock())

    assert kept(services, firm.id) == counted(services, firm.id)
    assert kept(services, firm.id) == {
        SyncStatus.SYNCED: 1, SyncStatus.FAILED: 2, SyncStatus.SKIPPED: 1,
    }  # fmt: skip
    assert kept(services, other.id) == counted(services, other.id) == {SyncStatus.NOT_SYNCED: 1}


def test_a_change_that_is_not_committed_counts_nothing(services: Services, firm: Firm) -> None:
    put_account(services.uow(), firm.id, "a", "First", services.clock())
    now = services.clock()

    with pytest.raises(ConflictError), services.uow() as uow:  # the same external id twice
        uow.accounts.add(
            Account(firm_id=firm.id, external_id="a", name="Again", created_at=now, updated_at=now)
        )
        uow.commit()

    assert kept(services, firm.id) == counted(services, firm.id) == {SyncStatus.NOT_SYNCED: 1}
