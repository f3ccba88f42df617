"""A payment written while its invoice's push is being recorded is still pushed.

The twin of test_invoice_during_settlement, one level down: the push read the invoice's
payments while the API wrote a new one against an invoice that still read Syncing (the push
had not committed), and neither would queue the payment's push. The invoice's row is locked
by both, so one waits for the other. PostgreSQL only: SQLite has one writer at a time.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from core.bootstrap import Services
from core.domain.status import SyncStatus
from core.services import push_runs
from core.services.payments import PaymentContent, put_payment
from core.services.push_runs import QboCopy, record_pushed
from tests.billing import linked_account, new_invoice
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher
from tests.servers import HAS_POSTGRES, write_during_settlement

PAYMENT = PaymentContent(
    invoice_external_id="i-1", amount=Decimal("50.00"), paid_on=date(2026, 3, 15)
)


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_payment_written_while_its_invoice_settles_gets_its_push(
    services: Services, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = linked_account(services, firm, "acc-1", "Settling Payments Ltd")
    invoice, queued = new_invoice(services, firm, account_id, "i-1")
    assert queued is not None
    with services.uow() as uow:
        job = uow.jobs.claim(queued.id, "w1", services.clock())
        assert job is not None
        uow.commit()
    read, release = threading.Event(), threading.Event()
    reading = push_runs._queue_payments

    def hold_after_reading(*args: object) -> object:
        jobs = reading(*args)  # type: ignore[arg-type]
        read.set()  # the invoice is Synced and its payments read, not committed
        release.wait(timeout=30)
        return jobs

    monkeypatch.setattr(push_runs, "_queue_payments", hold_after_reading)
    write_during_settlement(
        services.engine,
        lambda: record_pushed(
            services.uow(), RecordingDispatcher(), job, "w1", services.clock(), invoice.version,
            QboCopy("9001", "0"),
        ),
        read, release,
        lambda: put_payment(
            services.uow(), RecordingDispatcher(), firm.id, "p-1", PAYMENT, services.clock()
        ),
        "the payment write (or its wait for the invoice's lock)",
    )  # fmt: skip

    with services.uow() as uow:
        stored = uow.invoices.get(firm.id, "i-1")
        payment = uow.payments.get(firm.id, "p-1")
        assert stored is not None and payment is not None
        assert stored.status is SyncStatus.SYNCED
        assert payment.status is SyncStatus.SYNCING  # its push is queued
