"""Setting up invoices and payments for service-level tests, straight through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.bootstrap import Services
from core.domain.billing import Invoice, InvoiceLine, Payment
from core.domain.jobs import Job
from core.domain.status import SyncStatus
from core.services.accounts import put_account, request_account_sync
from core.services.pushes import queue_invoice_push, queue_payment_push
from core.services.sync_account import run_sync_account
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher


def linked_account(services: Services, firm: Firm, external_id: str, name: str) -> int:
    """An account linked to its QBO customer in the sandbox; its id."""
    now = services.clock()
    put_account(services.uow(), firm.id, external_id, name, now)
    sync = request_account_sync(services.uow(), RecordingDispatcher(), firm.id, external_id, now)
    run_sync_account(services.uow(), services.qbo, sync.id, "setup", services.clock)
    with services.uow() as uow:
        account = uow.accounts.get(firm.id, external_id)
        assert account is not None and account.status is SyncStatus.SYNCED, account
        assert account.id is not None
        return account.id


def line(amount: str, service: str = "Bookkeeping") -> InvoiceLine:
    return InvoiceLine(service, Decimal(1), Decimal(amount), Decimal(amount), "Monthly books")


def new_invoice(
    services: Services, firm: Firm, account_id: int, external_id: str, **fields: Any
) -> tuple[Invoice, Job | None]:
    """An invoice stored and, if it can go, queued for its push."""
    now = services.clock()
    lines = fields.pop("lines", (line("80.00"),))
    invoice = Invoice(
        firm_id=firm.id,
        external_id=external_id,
        created_at=now,
        updated_at=now,
        account_id=account_id,
        issued_on=fields.pop("issued_on", now.date()),
        lines=lines,
        total=sum((item.amount for item in lines), Decimal("0.00")),
        **fields,
    )
    with services.uow() as uow:
        uow.invoices.add(invoice)
        uow.flush()
        job = queue_invoice_push(uow, invoice, now, cause="created")
        uow.commit()
        return invoice, job


def change_invoice(services: Services, firm: Firm, external_id: str, **fields: Any) -> Job | None:
    """The firm changed (or, with deleted=True, deleted) the invoice: queue its push."""
    now = services.clock()
    with services.uow() as uow:
        invoice = uow.invoices.get(firm.id, external_id)
        assert invoice is not None
        if fields.pop("deleted", False):
            invoice.deleted_at = now
        for name, value in fields.items():
            setattr(invoice, name, value)
        if "lines" in fields:
            invoice.total = sum((item.amount for item in invoice.lines), Decimal("0.00"))
        invoice.version += 1
        job = queue_invoice_push(uow, invoice, now, cause="changed")
        uow.commit()
        return job


def new_payment(
    services: Services, firm: Firm, invoice_id: int, external_id: str, amount: str
) -> tuple[Payment, Job | None]:
    now = services.clock()
    payment = Payment(
        firm_id=firm.id,
        external_id=external_id,
        created_at=now,
        updated_at=now,
        invoice_id=invoice_id,
        amount=Decimal(amount),
        paid_on=now.date(),
        method="Check",
        sync=True,
    )
    with services.uow() as uow:
        uow.payments.add(payment)
        uow.flush()
        job = queue_payment_push(uow, payment, now, cause="created")
        uow.commit()
        return payment, job


def stored(services: Services, kind: str, record_id: int) -> Any:
    with services.uow() as uow:
        found = (uow.invoices if kind == "invoice" else uow.payments).get_by_id(record_id)
        assert found is not None
        return found


def after_the_lease() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=2)
