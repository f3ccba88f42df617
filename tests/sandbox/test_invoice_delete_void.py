"""Invoice delete and void: answers, what stays readable, and the payments that block them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.books import a_payment, an_invoice, an_item, versioned
from tests.sandbox.qbo_calls import QboCalls, fault_of


@pytest.fixture
def invoice(qbo: QboCalls) -> dict[str, Any]:
    jane, item = qbo.create_customer("Jane Doe"), an_item(qbo)
    return an_invoice(qbo, jane["Id"], item["Id"], 450, PrivateNote="first draft")


def identity(row: dict[str, Any]) -> dict[str, Any]:
    return {"Id": row["Id"], "SyncToken": row["SyncToken"]}


def test_a_deleted_invoice_answers_deleted_and_is_gone(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    response = qbo.post("invoice", identity(invoice), operation="delete")

    assert response.status_code == 200
    assert response.get_json()["Invoice"] == {
        "status": "Deleted",
        "domain": "QBO",
        "Id": invoice["Id"],
    }
    read = qbo.get(f"invoice/{invoice['Id']}")
    assert (read.status_code, fault_of(read)["code"]) == (400, "610")
    assert (
        fault_of(read)["Detail"] == "Object Not Found : Another user has deleted this transaction."
    )
    assert qbo.rows("select * from Invoice") == []


def test_a_deleted_invoice_cannot_be_deleted_or_updated_again(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    qbo.post("invoice", identity(invoice), operation="delete")

    again = qbo.post("invoice", identity(invoice), operation="delete")
    update = qbo.post("invoice", versioned(invoice, PrivateNote="x"))

    assert [fault_of(again)["code"], fault_of(update)["code"]] == ["610", "610"]


def test_a_delete_with_a_stale_sync_token_is_a_5010_fault(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    response = qbo.post("invoice", {"Id": invoice["Id"], "SyncToken": "9"}, operation="delete")

    assert fault_of(response)["code"] == "5010"


def test_a_void_zeroes_the_invoice_notes_it_and_keeps_it_readable(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    response = qbo.post("invoice", identity(invoice), operation="void")

    voided = response.get_json()["Invoice"]
    assert response.status_code == 200
    assert (voided["TotalAmt"], voided["Balance"], voided["SyncToken"]) == (0.0, 0.0, "1")
    assert [line["Amount"] for line in voided["Line"]] == [0.0, 0.0]
    assert voided["PrivateNote"] == "Voided - first draft"
    assert qbo.read("Invoice", invoice["Id"]) == voided
    customer = qbo.read("Customer", invoice["CustomerRef"]["value"])
    assert customer["Balance"] == 0


def test_a_void_of_an_invoice_without_a_note_says_voided(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    plain = an_invoice(
        qbo,
        invoice["CustomerRef"]["value"],
        invoice["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"],
    )

    voided = qbo.create("Invoice", identity(plain), operation="void")

    assert voided["PrivateNote"] == "Voided"


@pytest.mark.parametrize("operation", ["delete", "void"])
def test_an_invoice_with_a_payment_applied_cannot_be_deleted_or_voided(
    qbo: QboCalls, invoice: dict[str, Any], operation: str
) -> None:
    a_payment(qbo, invoice["CustomerRef"]["value"], 100, (invoice["Id"], 100))
    paid = qbo.read("Invoice", invoice["Id"])

    response = qbo.post("invoice", identity(paid), operation=operation)

    assert (response.status_code, fault_of(response)["code"]) == (400, "6000")
    assert qbo.read("Invoice", invoice["Id"])["Balance"] == 350.0


def test_once_its_payment_is_deleted_an_invoice_can_be_deleted(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, invoice["CustomerRef"]["value"], 100, (invoice["Id"], 100))
    qbo.post("payment", identity(payment), operation="delete")
    unpaid = qbo.read("Invoice", invoice["Id"])

    response = qbo.post("invoice", identity(unpaid), operation="delete")

    assert response.status_code == 200
