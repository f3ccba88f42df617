"""An invoice pushed twice exists once in QBO (Done-when 2 of issue 15): a message delivered
twice, and a worker killed right after QBO made the invoice but before the outcome was
stored, against the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.bootstrap import Services
from core.domain.jobs import LEASE
from core.domain.status import SyncStatus
from core.services.push_invoice import run_push_invoice
from core.services.push_runs import PushOutcome
from tests.billing import linked_account, new_invoice
from tests.conftest import Firm, Sandbox
from tests.crashes import DiesAfter, WorkerKilled
from tests.fakes import RecordingDispatcher


def linked_invoice(services: Services, firm: Firm, number: str | None) -> str:
    """An account linked in the sandbox, and an invoice of it queued for its push."""
    account_id = linked_account(services, firm, "acc", "Exactly Once Ltd")
    _, job = new_invoice(services, firm, account_id, "inv", number=number)
    assert job is not None
    return job.id


def invoices_of(sandbox: Sandbox) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = sandbox.state.query(sandbox.realm_id, "select * from Invoice").get(
        "Invoice", []
    )
    return [i for i in rows if i["CustomerRef"]["name"] == "Exactly Once Ltd"]


def later(by: timedelta) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + by


def test_a_message_delivered_twice_pushes_once(
    services: Services, sandbox: Sandbox, firm: Firm
) -> None:
    job_id = linked_invoice(services, firm, "X-1")
    dispatcher = RecordingDispatcher()

    first = run_push_invoice(services.uow(), services.qbo, dispatcher, job_id, "w1", services.clock)
    second = run_push_invoice(
        services.uow(), services.qbo, dispatcher, job_id, "w2", services.clock
    )

    assert (first, second) == (PushOutcome.SYNCED, PushOutcome.NOT_CLAIMED)
    assert len(invoices_of(sandbox)) == 1


@pytest.mark.parametrize("number", ["X-2", None], ids=["numbered", "unnumbered"])
def test_a_worker_killed_after_the_qbo_create_leaves_one_invoice_once_another_finishes(
    services: Services, sandbox: Sandbox, firm: Firm, number: str | None
) -> None:
    job_id = linked_invoice(services, firm, number)
    dispatcher = RecordingDispatcher()
    with pytest.raises(WorkerKilled):
        run_push_invoice(
            services.uow(),
            DiesAfter(services.qbo, "create_invoice"),
            dispatcher,
            job_id,
            "w1",
            services.clock,
        )
    assert len(invoices_of(sandbox)) == 1  # QBO made it; qbsync never heard

    # The lease runs out and another worker takes the job over (the relay resends it).
    outcome = run_push_invoice(
        services.uow(), services.qbo, dispatcher, job_id, "w2", later(LEASE + timedelta(seconds=1))
    )

    assert outcome is PushOutcome.SYNCED
    [only] = invoices_of(sandbox)
    with services.uow() as uow:
        invoice = uow.invoices.get(firm.id, "inv")
        assert invoice is not None
        assert (invoice.status, invoice.qbo_id) == (SyncStatus.SYNCED, only["Id"])
