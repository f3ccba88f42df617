"""SPEC §3 through the running system: PostgreSQL, Redis, the real `dramatiq` CLI worker, the
API and the sandbox over loopback HTTP (Done-when 1 of issue 15). Each scenario asserts the
record's status and history, and what QBO (the sandbox) holds."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import Sandbox
from tests.e2e.account_steps import history, put, sync, unsync
from tests.e2e.billing_steps import (
    invoice_body,
    put_invoice,
    qbo_invoices,
    qbo_payments,
    record,
    settled_record,
)
from tests.e2e.conftest import System
from tests.waiting import wait_for


def test_an_invoice_made_before_its_account_is_linked_is_pushed_after_the_link(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "acme", "Acme Waiting Ltd")
    waiting = put_invoice(system, "inv-1", invoice_body("acme", number="W-1"))
    assert waiting["status"] == "not_synced"
    assert qbo_invoices(sandbox, "W-1") == []

    account = sync(system, "acme")
    pushed = settled_record(system, "invoices", "inv-1")

    assert pushed["status"] == "synced", pushed
    [copy] = qbo_invoices(sandbox, "W-1")
    assert copy["Id"] == pushed["qbo_id"]
    assert copy["CustomerRef"]["value"] == account["qbo_customer_id"]
    assert Decimal(str(copy["TotalAmt"])) == Decimal("300.00")
    causes = [c["cause"] for c in history_of(system, "invoices", "inv-1")]
    assert causes[-2:] == ["its account is synced", "pushed to QBO"]


def test_an_edit_updates_the_qbo_invoice_in_place_and_a_delete_removes_it(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "edit", "Edit Me Ltd")
    sync(system, "edit")
    put_invoice(system, "inv-2", invoice_body("edit", number="E-1"))
    first = settled_record(system, "invoices", "inv-2")
    [before] = qbo_invoices(sandbox, "E-1")

    put_invoice(system, "inv-2", invoice_body("edit", number="E-1", amount="450.00"))
    edited = settled_record(system, "invoices", "inv-2")

    [after] = qbo_invoices(sandbox, "E-1")
    assert edited["status"] == "synced"
    assert after["Id"] == before["Id"] == first["qbo_id"] == edited["qbo_id"]
    assert int(after["SyncToken"]) > int(before["SyncToken"])
    assert Decimal(str(after["TotalAmt"])) == Decimal("450.00")

    deleted = system.http.delete("/v1/invoices/inv-2", headers=system.headers)
    assert deleted.status_code == 204
    wait_for(lambda: qbo_invoices(sandbox, "E-1") == [], what="the QBO invoice to go")
    assert system.http.get("/v1/invoices/inv-2", headers=system.headers).status_code == 404


def test_a_payment_lands_linked_to_its_invoice_and_the_invoice_shows_paid(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "payer", "Paying Client Ltd")
    sync(system, "payer")
    put_invoice(system, "inv-3", invoice_body("payer", number="P-1", amount="120.00"))
    invoice = settled_record(system, "invoices", "inv-3")
    answer = system.http.put(
        "/v1/payments/pay-1",
        json={"invoice_id": "inv-3", "amount": "120.00", "paid_on": "2026-11-03", "sync": True},
        headers=system.headers,
    )
    assert answer.status_code == 201, answer.json()

    payment = settled_record(system, "payments", "pay-1")

    assert payment["status"] == "synced", payment
    [copy] = [p for p in qbo_payments(sandbox) if p["Id"] == payment["qbo_id"]]
    linked = [t["TxnId"] for line in copy["Line"] for t in line["LinkedTxn"]]
    assert linked == [invoice["qbo_id"]]
    [paid] = qbo_invoices(sandbox, "P-1")
    assert Decimal(str(paid["Balance"])) == 0


def test_an_account_unsync_turns_its_invoices_skipped_and_stops_their_pushes(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "off", "Turned Off Ltd")
    sync(system, "off")
    put_invoice(system, "inv-4", invoice_body("off", number="S-1"))
    settled_record(system, "invoices", "inv-4")

    unsync(system, "off")
    skipped = record(system, "invoices", "inv-4")
    put_invoice(system, "inv-4", invoice_body("off", number="S-1", amount="999.00"))

    assert skipped["status"] == "skipped"
    assert record(system, "invoices", "inv-4")["status"] == "skipped"
    [copy] = qbo_invoices(sandbox, "S-1")
    assert Decimal(str(copy["TotalAmt"])) == Decimal("300.00")  # the edit was not pushed
    assert history_of(system, "invoices", "inv-4")[-1]["cause"] == "its account was turned off"
    assert history(system, "off")[-1]["to_status"] == "skipped"

    sync(system, "off")  # syncing the account again makes them eligible again
    back = settled_record(system, "invoices", "inv-4")
    assert back["status"] == "synced"
    [again] = qbo_invoices(sandbox, "S-1")
    assert Decimal(str(again["TotalAmt"])) == Decimal("999.00")


def history_of(system: System, kind: str, external_id: str) -> list[dict[str, object]]:
    answer = system.http.get(f"/v1/{kind}/{external_id}/history", headers=system.headers)
    assert answer.status_code == 200, answer.json()
    items: list[dict[str, object]] = answer.json()["items"]
    return items
