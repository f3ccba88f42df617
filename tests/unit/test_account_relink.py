"""Relinking a Synced account to a merge's survivor: a history entry, no status change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.domain.records import Account
from core.domain.status import SyncStatus
from core.errors import InvalidTransitionError

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def an_account(status: SyncStatus = SyncStatus.SYNCED, customer_id: str | None = "61") -> Account:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    return Account(
        firm_id=1,
        external_id="acc-1",
        name="Merged Client",
        created_at=created,
        updated_at=created,
        status=status,
        qbo_customer_id=customer_id,
        last_synced_at=created,
        id=7,
    )


def test_a_relink_points_the_account_at_the_survivor_and_records_why() -> None:
    account = an_account()

    change = account.relink("62", at=AT, cause="relinked to QBO customer 62", job_id="job-1")

    assert account.qbo_customer_id == "62"
    assert account.status is SyncStatus.SYNCED
    assert account.updated_at == AT
    assert account.last_synced_at == datetime(2026, 1, 1, tzinfo=UTC)  # a relink is no sync
    assert (change.from_status, change.to_status) == (SyncStatus.SYNCED, SyncStatus.SYNCED)
    assert (change.record_id, change.cause, change.job_id, change.at) == (
        7,
        "relinked to QBO customer 62",
        "job-1",
        AT,
    )


@pytest.mark.parametrize(
    "status", [SyncStatus.SKIPPED, SyncStatus.NOT_SYNCED, SyncStatus.FAILED, SyncStatus.SYNCING]
)
def test_only_a_synced_account_can_be_relinked(status: SyncStatus) -> None:
    account = an_account(status)
    with pytest.raises(InvalidTransitionError):
        account.relink("62", at=AT, cause="relinked")
    assert account.qbo_customer_id == "61"
