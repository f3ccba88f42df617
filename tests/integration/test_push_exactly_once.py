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
from core.domain.records import QboConnection
from core.domain.status import SyncStatus
from core.ports import Qbo
from core.services.push_invoice import run_push_invoice
from core.services.push_runs import PushOutcome
from tests.billing import linked_account, new_invoice
from tests.conftest import Firm, Sandbox
from tests.fakes import RecordingDispatcher


class WorkerKilled(BaseException):
    """A SIGKILL, as far as the job can tell: nothing after it runs."""


class DiesAfterCreate:
    """A QBO connector whose worker dies right after QBO answered an invoice create."""

    def __init__(self, connect: Callable[[QboConnection], Qbo]) -> None:
        self._connect = connect

    def __call__(self, connection: QboConnection) -> Any:
        qbo = self._connect(connection)
        real_create = qbo.create_invoice

        def create_then_die(*args: Any, **kwargs: Any) -> Any:
            real_create(*args, **kwargs)
            raise WorkerKilled()

        qbo.create_invoice = create_then_die  # type: ignore[method-assign]
        return qbo


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
            services.uow(), DiesAfterCreate(services.qbo), dispatcher, job_id, "w1", services.clock
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
