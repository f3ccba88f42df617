"""Push jobs against the sandbox over loopback HTTP: each asserts the record's status and
history, and what QBO holds (SPEC §3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.bootstrap import Services
from core.domain.jobs import Job, JobKind
from core.domain.status import SyncStatus
from core.services.accounts import unsync_account
from core.services.push_invoice import run_push_invoice
from core.services.push_payment import run_push_payment
from core.services.push_runs import PushOutcome
from core.services.pushes import queue_payment_push
from tests.billing import change_invoice, line, linked_account, new_invoice, new_payment, stored
from tests.conftest import Firm, Sandbox
from tests.fakes import RecordingDispatcher


@pytest.fixture
def account_id(services: Services, firm: Firm) -> int:
    return linked_account(services, firm, "acc", "Pushing Client Ltd")


def push(
    services: Services, job: Job | None, dispatcher: RecordingDispatcher | None = None
) -> PushOutcome:
    assert job is not None
    run = run_push_invoice if job.kind is JobKind.PUSH_INVOICE else run_push_payment
    return run(
        services.uow(),
        services.qbo,
        dispatcher or RecordingDispatcher(),
        job.id,
        "w",
        services.clock,
    )


def qbo_invoice(sandbox: Sandbox, qbo_id: str | None) -> dict[str, Any] | None:
    rows = sandbox.state.query(sandbox.realm_id, f"select * from Invoice where Id = '{qbo_id}'")
    found: list[dict[str, Any]] = rows.get("Invoice", [])
    return found[0] if found else None


def causes(services: Services, kind: str, record_id: int) -> list[str]:
    with services.uow() as uow:
        return [c.cause for c in uow.history.for_record(kind, record_id)]


def test_an_invoice_is_created_with_its_item_class_and_location(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(
        services, firm, account_id, "i-1", number="Q-1",
        lines=(line("100.00"), line("25.50", service="Brand New Service")),
        class_name="Tax Services", location_name="Main Office",
    )  # fmt: skip

    assert push(services, job) is PushOutcome.SYNCED

    pushed = stored(services, "invoice", invoice.id or 0)
    copy = qbo_invoice(sandbox, pushed.qbo_id)
    assert pushed.status is SyncStatus.SYNCED and copy is not None
    assert Decimal(str(copy["TotalAmt"])) == Decimal("125.50")
    assert copy["DocNumber"] == "Q-1"
    assert "DepartmentRef" in copy
    items = sandbox.state.query(
        sandbox.realm_id, "select * from Item where Name = 'Brand New Service'"
    )
    [created] = items["Item"]
    assert created["Type"] == "Service"
    assert causes(services, "invoice", invoice.id or 0) == ["created", "pushed to QBO"]


def test_an_unknown_class_fails_with_what_to_do_and_nothing_reaches_qbo(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-2", class_name="No Such Class")

    assert push(services, job) is PushOutcome.FAILED

    failed = stored(services, "invoice", invoice.id or 0)
    assert failed.status is SyncStatus.FAILED
    assert failed.error["code"] == "class_not_found"
    assert "add it in QuickBooks" in failed.error["message"]
    assert failed.qbo_id is None


def test_a_number_qbo_already_holds_fails_with_qbos_reason(
    services: Services, firm: Firm, account_id: int
) -> None:
    _, job = new_invoice(services, firm, account_id, "i-3", number="DUP-1")
    push(services, job)
    other = linked_account(services, firm, "acc-2", "Another Client Ltd")
    second, job = new_invoice(services, firm, other, "i-4", number="DUP-1")

    assert push(services, job) is PushOutcome.FAILED

    failed = stored(services, "invoice", second.id or 0)
    assert failed.error["code"] == "6140"
    assert "another number" in failed.error["message"]


def test_an_edit_updates_in_place_even_after_someone_changed_it_in_qbo(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-5", number="E-5")
    push(services, job)
    qbo_id = stored(services, "invoice", invoice.id or 0).qbo_id
    # A bookkeeper edits it in QBO: our SyncToken is now stale (5010).
    current = qbo_invoice(sandbox, qbo_id)
    assert current is not None
    sandbox.state.save(
        sandbox.realm_id, "Invoice",
        {"Id": qbo_id, "SyncToken": current["SyncToken"], "sparse": True, "PrivateNote": "seen"},
        "update",
    )  # fmt: skip

    job = change_invoice(services, firm, "i-5", lines=(line("95.00"),))
    assert push(services, job) is PushOutcome.SYNCED

    after = qbo_invoice(sandbox, qbo_id)
    assert after is not None and Decimal(str(after["TotalAmt"])) == Decimal("95.00")
    assert stored(services, "invoice", invoice.id or 0).qbo_sync_token == after["SyncToken"]


def test_a_deleted_invoice_goes_from_qbo_after_its_payment_is_unapplied(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-6", number="D-6")
    dispatcher = RecordingDispatcher()
    push(services, job, dispatcher)
    _, job = new_payment(services, firm, invoice.id or 0, "p-6", "80.00")
    assert push(services, job) is PushOutcome.SYNCED
    qbo_id = stored(services, "invoice", invoice.id or 0).qbo_id
    paid = qbo_invoice(sandbox, qbo_id)
    assert paid is not None and Decimal(str(paid["Balance"])) == 0

    job = change_invoice(services, firm, "i-6", deleted=True)
    assert push(services, job) is PushOutcome.DELETED

    assert qbo_invoice(sandbox, qbo_id) is None
    gone = stored(services, "invoice", invoice.id or 0)
    assert (gone.status, gone.qbo_id) == (SyncStatus.NOT_SYNCED, None)
    assert causes(services, "invoice", invoice.id or 0)[-1] == "deleted in QBO"


def test_a_payment_waits_for_its_invoice_and_goes_when_the_invoice_is_pushed(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, invoice_job = new_invoice(services, firm, account_id, "i-7", number="W-7")
    payment, job = new_payment(services, firm, invoice.id or 0, "p-7", "30.00")
    assert job is None  # its invoice is not Synced yet
    dispatcher = RecordingDispatcher()

    push(services, invoice_job, dispatcher)

    with services.uow() as uow:
        queued = uow.jobs.active_for("payment", payment.id or 0)
    assert queued is not None and queued.id in dispatcher.sent
    assert push(services, queued) is PushOutcome.SYNCED
    pushed = stored(services, "payment", payment.id or 0)
    copy = sandbox.state.query(
        sandbox.realm_id, f"select * from Payment where Id = '{pushed.qbo_id}'"
    )
    [qbo_payment] = copy["Payment"]
    assert Decimal(str(qbo_payment["TotalAmt"])) == Decimal("30.00")
    undeposited = sandbox.state.query(
        sandbox.realm_id, "select * from Account where Name = 'Undeposited Funds'"
    )["Account"][0]
    assert qbo_payment["DepositToAccountRef"]["value"] == undeposited["Id"]


def test_an_invoice_changed_while_its_push_ran_is_pushed_again(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-8", number="C-8")
    assert change_invoice(services, firm, "i-8", lines=(line("60.00"),)) == job  # one job at a time
    dispatcher = RecordingDispatcher()

    assert push(services, job, dispatcher) is PushOutcome.SYNCED

    with services.uow() as uow:
        follow_up = uow.jobs.active_for("invoice", invoice.id or 0)
    # The job pushed the version it claimed; the change made meanwhile goes next.
    assert follow_up is None or follow_up.id in dispatcher.sent
    if follow_up is not None:
        assert push(services, follow_up) is PushOutcome.SYNCED
    final = stored(services, "invoice", invoice.id or 0)
    copy = qbo_invoice(sandbox, final.qbo_id)
    assert final.up_to_date and copy is not None
    assert Decimal(str(copy["TotalAmt"])) == Decimal("60.00")


def test_an_invoice_of_an_account_turned_off_meanwhile_stays_skipped(
    services: Services, firm: Firm, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-9")
    unsync_account(services.uow(), firm.id, "acc", services.clock())

    assert push(services, job) is PushOutcome.WAITING

    assert stored(services, "invoice", invoice.id or 0).status is SyncStatus.SKIPPED


def test_an_invoice_for_a_customer_deleted_in_qbo_fails_and_queues_a_check_of_the_link(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    with services.uow() as uow:
        account = uow.accounts.get_by_id(account_id)
        assert account is not None and account.qbo_customer_id is not None
        customer_id = account.qbo_customer_id
    sandbox.state.deactivate_customer(sandbox.realm_id, customer_id)
    invoice, job = new_invoice(services, firm, account_id, "i-10")

    assert push(services, job) is PushOutcome.FAILED

    failed = stored(services, "invoice", invoice.id or 0)
    assert failed.error["code"] in ("610", "2500")
    with services.uow() as uow:
        check = uow.jobs.active_for("account", account_id)
    assert check is not None and check.kind is JobKind.CHECK_CUSTOMER_LINK


def test_a_changed_payment_is_replaced_and_a_deleted_one_deleted_in_qbo(
    services: Services, firm: Firm, sandbox: Sandbox, account_id: int
) -> None:
    invoice, job = new_invoice(services, firm, account_id, "i-11", number="R-11")
    push(services, job)
    payment, job = new_payment(services, firm, invoice.id or 0, "p-11", "20.00")
    push(services, job)
    first = stored(services, "payment", payment.id or 0).qbo_id

    with services.uow() as uow:
        changed = uow.payments.get_by_id(payment.id or 0)
        assert changed is not None
        changed.amount, changed.version = Decimal("35.00"), changed.version + 1
        job = queue_payment_push(uow, changed, services.clock(), cause="changed")
        uow.commit()
    assert push(services, job) is PushOutcome.SYNCED

    replaced = stored(services, "payment", payment.id or 0)
    amounts = {
        p["Id"]: Decimal(str(p["TotalAmt"]))
        for p in sandbox.state.query(sandbox.realm_id, "select * from Payment")["Payment"]
    }
    assert first not in amounts and amounts[replaced.qbo_id] == Decimal("35.00")

    with services.uow() as uow:
        gone = uow.payments.get_by_id(payment.id or 0)
        assert gone is not None
        gone.deleted_at, gone.version = services.clock(), gone.version + 1
        job = queue_payment_push(uow, gone, services.clock(), cause="deleted")
        uow.commit()
    assert push(services, job) is PushOutcome.DELETED
    left = sandbox.state.query(sandbox.realm_id, "select * from Payment").get("Payment", [])
    assert replaced.qbo_id not in [p["Id"] for p in left]
