"""An invoice deleted while its first push was queued: the push deletes nothing, or the copy
a lost create made (found by qbsync bench chaos: such pushes crashed on an assertion)."""

from __future__ import annotations

from typing import Any

from core.bootstrap import Services
from core.services.push_invoice import run_push_invoice
from core.services.push_runs import PushOutcome
from tests.billing import linked_account, new_invoice, stored
from tests.conftest import Firm, Sandbox
from tests.fakes import RecordingDispatcher


def invoices_in_qbo(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.state.query(sandbox.realm_id, "select * from Invoice").get("Invoice", [])


def test_an_invoice_deleted_before_its_first_push_ran_is_pushed_as_nothing_to_delete(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    account_id = linked_account(services, firm, "acc", "Deleting Client Ltd")
    invoice, job = new_invoice(services, firm, account_id, "inv-1", number="D-1")
    assert job is not None and invoice.id is not None
    with services.uow() as uow:  # deleted while its push waited in the queue
        stored_invoice = uow.invoices.get_by_id(invoice.id)
        assert stored_invoice is not None
        stored_invoice.deleted_at = services.clock()
        uow.commit()

    outcome = run_push_invoice(
        services.uow(), services.qbo, RecordingDispatcher(), job.id, "w", services.clock
    )

    assert outcome is not PushOutcome.NOT_CLAIMED
    assert stored(services, "invoice", invoice.id).qbo_id is None
    assert invoices_in_qbo(sandbox) == []
