"""Helpers for the invoice and payment API tests: bodies with defaults, and records in a state."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from core.adapters.db.tables import invoices, jobs, payments, status_changes
from core.bootstrap import Services
from core.domain.jobs import JobState
from core.domain.status import SyncStatus
from tests.api.conftest import auth
from tests.conftest import Firm
from tests.factories import count_rows


def a_line(**overrides: Any) -> dict[str, Any]:
    """One invoice line: 2 x 225.00 of tax preparation, unless told otherwise."""
    return {"service": "Tax preparation", "quantity": "2", "rate": "225", "amount": "450.00"} | (
        overrides
    )


def an_invoice(account_id: str = "c-1", **overrides: Any) -> dict[str, Any]:
    """An invoice body whose money adds up: one line of 450.00."""
    return {
        "account_id": account_id,
        "number": "INV-1001",
        "issued_on": "2026-03-01",
        "due_on": "2026-03-31",
        "lines": [a_line()],
        "total": "450.00",
    } | overrides


def a_payment(invoice_id: str = "i-1", **overrides: Any) -> dict[str, Any]:
    return {"invoice_id": invoice_id, "amount": "100.00", "paid_on": "2026-03-15"} | overrides


def put_account(client: FlaskClient, firm: Firm, external_id: str = "c-1") -> None:
    answer = client.put(
        f"/v1/accounts/{external_id}", json={"name": f"Client {external_id}"}, headers=auth(firm)
    )
    assert answer.status_code in (200, 201), answer.json


def put_invoice(
    client: FlaskClient, firm: Firm, external_id: str = "i-1", **overrides: Any
) -> dict[str, Any]:
    answer = client.put(
        f"/v1/invoices/{external_id}", json=an_invoice(**overrides), headers=auth(firm)
    )
    assert answer.status_code in (200, 201), answer.json
    body: dict[str, Any] = answer.json
    return body


def put_payment(
    client: FlaskClient, firm: Firm, external_id: str = "p-1", **overrides: Any
) -> dict[str, Any]:
    answer = client.put(
        f"/v1/payments/{external_id}", json=a_payment(**overrides), headers=auth(firm)
    )
    assert answer.status_code in (200, 201), answer.json
    body: dict[str, Any] = answer.json
    return body


def as_in_qbo(
    services: Services, firm: Firm, record_type: str, external_id: str, qbo_id: str
) -> None:
    """Make an invoice or payment Synced, as if its push had run: QBO holds its latest version."""
    now = services.clock()
    with services.uow() as uow:
        repository = uow.invoices if record_type == "invoice" else uow.payments
        record = repository.get(firm.id, external_id)
        assert record is not None and record.id is not None
        record.status = SyncStatus.SYNCED
        record.qbo_id = qbo_id
        record.qbo_sync_token = "0"
        record.pushed_version = record.version
        record.last_synced_at = now
        job = uow.jobs.active_for(record_type, record.id)
        if job is not None:
            job.state = JobState.SUCCEEDED
            job.finished_at = job.updated_at = now
        uow.commit()


def row_counts(services: Services) -> dict[str, int]:
    """How many invoices, payments, jobs and history entries the store holds."""
    return count_rows(services, invoices, payments, jobs, status_changes)
