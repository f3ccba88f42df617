"""An invoice written while its account's sync is being recorded is still pushed.

Found by `qbsync bench chaos`: the sync read the account's waiting invoices, the API then
wrote a new invoice while the account still read Syncing (the sync had not committed), and
neither queued its push: the invoice stayed Not synced for good. The account's row is now
locked by both, so one waits for the other. PostgreSQL only: SQLite has one writer at a time.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from core.bootstrap import Services
from core.domain.billing import InvoiceLine
from core.domain.status import SyncStatus
from core.ports import UnitOfWork
from core.services.account_sync_steps import Settlement, record_settlements
from core.services.accounts import put_account, request_account_sync
from core.services.invoices import InvoiceContent, put_invoice
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher
from tests.servers import HAS_POSTGRES, write_during_settlement

CONTENT = InvoiceContent(
    account_external_id="acc-1",
    issued_on=date(2026, 3, 1),
    lines=(InvoiceLine("Tax preparation", Decimal(1), Decimal(450), Decimal("450.00")),),
    total=Decimal("450.00"),
)


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_invoice_written_while_its_account_settles_gets_its_push(
    services: Services, firm: Firm
) -> None:
    put_account(services.uow(), firm.id, "acc-1", "Settling Ltd", services.clock())
    queued = request_account_sync(
        services.uow(), RecordingDispatcher(), firm.id, "acc-1", services.clock()
    )
    with services.uow() as uow:
        job = uow.jobs.claim(queued.id, "w1", services.clock())
        assert job is not None
        uow.commit()
    recorded, release = threading.Event(), threading.Event()

    def hold_before_commit(_: UnitOfWork) -> None:
        recorded.set()  # the account's move and its waiting invoices are read, not committed
        release.wait(timeout=30)

    write_during_settlement(
        services.engine,
        lambda: record_settlements(
            services.uow(), [Settlement.linked(job, "58")], "w1", services.clock(), None,
            also=hold_before_commit,
        ),
        recorded, release,
        lambda: put_invoice(
            services.uow(), RecordingDispatcher(), firm.id, "i-1", CONTENT, services.clock()
        ),
        "the invoice write (or its wait for the account's lock)",
    )  # fmt: skip

    with services.uow() as uow:
        account = uow.accounts.get(firm.id, "acc-1")
        invoice = uow.invoices.get(firm.id, "i-1")
        assert account is not None and invoice is not None
        assert account.status is SyncStatus.SYNCED
        assert invoice.status is SyncStatus.SYNCING  # its push is queued
