"""Payments: applying them to invoices, balances through update, void and delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.books import (
    CHECKING,
    UNDEPOSITED_FUNDS,
    a_payment,
    a_payment_body,
    an_invoice,
    an_item,
    versioned,
)
from tests.sandbox.qbo_calls import QboCalls, fault_of


@pytest.fixture
def jane(qbo: QboCalls) -> dict[str, Any]:
    return qbo.create_customer("Jane Doe")


@pytest.fixture
def invoice(qbo: QboCalls, jane: dict[str, Any]) -> dict[str, Any]:
    return an_invoice(qbo, jane["Id"], an_item(qbo)["Id"], 450)


def balance(qbo: QboCalls, entity: str, entity_id: str) -> float:
    value: float = qbo.read(entity, entity_id)["Balance"]
    return value


def identity(row: dict[str, Any]) -> dict[str, Any]:
    return {"Id": row["Id"], "SyncToken": row["SyncToken"]}


def test_a_payment_lowers_the_invoice_balance_and_is_listed_on_it(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 500, (invoice["Id"], 450))

    paid = qbo.read("Invoice", invoice["Id"])
    assert (payment["TotalAmt"], payment["UnappliedAmt"]) == (500.0, 50.0)
    assert (paid["Balance"], paid["TotalAmt"], paid["SyncToken"]) == (0.0, 450.0, "1")
    assert paid["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    assert balance(qbo, "Customer", jane["Id"]) == -50.0


def test_a_payment_goes_to_undeposited_funds_unless_told_otherwise(
    qbo: QboCalls, jane: dict[str, Any]
) -> None:
    default = a_payment(qbo, jane["Id"], 40)
    banked = qbo.create(
        "Payment", {**a_payment_body(jane["Id"], 60), "DepositToAccountRef": {"value": CHECKING}}
    )

    assert default["DepositToAccountRef"] == {"value": UNDEPOSITED_FUNDS}
    assert banked["DepositToAccountRef"] == {"value": CHECKING}
    assert qbo.read("Account", UNDEPOSITED_FUNDS)["CurrentBalance"] == 40.0
    assert qbo.read("Account", CHECKING)["CurrentBalance"] == 60.0


def test_a_payment_cannot_be_deposited_to_an_income_account(
    qbo: QboCalls, jane: dict[str, Any]
) -> None:
    body = {**a_payment_body(jane["Id"], 60), "DepositToAccountRef": {"value": "1"}}

    assert fault_of(qbo.post("payment", body))["code"] == "6000"


@pytest.mark.parametrize(
    ("body", "code", "element"),
    [
        ({"TotalAmt": 10}, "2020", "CustomerRef"),
        ({"CustomerRef": {"value": "JANE"}}, "2020", "TotalAmt"),
        ({"CustomerRef": {"value": "404"}, "TotalAmt": 10}, "2500", "CustomerRef"),
        ({"CustomerRef": {"value": "JANE"}, "TotalAmt": -1}, "6000", "TotalAmt"),
        ({"CustomerRef": {"value": "JANE"}, "TotalAmt": "lots"}, "2010", ""),
    ],
)
def test_missing_or_bad_payment_fields_are_faults(
    qbo: QboCalls, jane: dict[str, Any], body: dict[str, Any], code: str, element: str
) -> None:
    if body.get("CustomerRef", {}).get("value") == "JANE":
        body["CustomerRef"] = {"value": jane["Id"]}

    error = fault_of(qbo.post("payment", body))

    assert (error["code"], error["element"]) == (code, element)


def test_applying_more_than_the_payment_total_is_a_6000_fault(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    response = qbo.post("payment", a_payment_body(jane["Id"], 100, (invoice["Id"], 150)))

    assert fault_of(response)["code"] == "6000"
    assert balance(qbo, "Invoice", invoice["Id"]) == 450.0


def test_applying_more_than_the_invoice_balance_is_a_6000_fault(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    a_payment(qbo, jane["Id"], 400, (invoice["Id"], 400))

    response = qbo.post("payment", a_payment_body(jane["Id"], 100, (invoice["Id"], 100)))

    assert fault_of(response)["code"] == "6000"
    assert balance(qbo, "Invoice", invoice["Id"]) == 50.0


def test_linking_another_customers_invoice_is_a_620_fault(
    qbo: QboCalls, invoice: dict[str, Any]
) -> None:
    john = qbo.create_customer("John Roe")

    response = qbo.post("payment", a_payment_body(john["Id"], 100, (invoice["Id"], 100)))

    error = fault_of(response)
    assert (response.status_code, error["code"], error["Message"]) == (
        400,
        "620",
        "TxnID Cannot Be Linked",
    )


def test_linking_an_unknown_invoice_is_a_2500_fault(qbo: QboCalls, jane: dict[str, Any]) -> None:
    response = qbo.post("payment", a_payment_body(jane["Id"], 100, ("404", 100)))

    assert (fault_of(response)["code"], fault_of(response)["element"]) == (
        "2500",
        "Line.LinkedTxn.TxnId",
    )


def test_two_partial_payments_pay_an_invoice_off(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    first = a_payment(qbo, jane["Id"], 200, (invoice["Id"], 200))
    second = a_payment(qbo, jane["Id"], 250, (invoice["Id"], 250))

    paid = qbo.read("Invoice", invoice["Id"])
    assert paid["Balance"] == 0.0
    assert [link["TxnId"] for link in paid["LinkedTxn"]] == [first["Id"], second["Id"]]
    assert balance(qbo, "Customer", jane["Id"]) == 0.0


def test_an_update_may_raise_what_it_applies_up_to_the_invoice_total(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 450, (invoice["Id"], 300))

    raised = qbo.create(
        "Payment",
        versioned(payment, Line=a_payment_body(jane["Id"], 0, (invoice["Id"], 450))["Line"]),
    )

    assert (raised["UnappliedAmt"], balance(qbo, "Invoice", invoice["Id"])) == (0.0, 0.0)


def test_a_sparse_update_without_lines_keeps_them_and_an_empty_list_unapplies_them(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 300, (invoice["Id"], 300))

    noted = qbo.create("Payment", versioned(payment, PaymentRefNum="CHK-1001"))
    kept = balance(qbo, "Invoice", invoice["Id"])
    unapplied = qbo.create("Payment", versioned(noted, Line=[]))

    assert (noted["Line"], kept) == (payment["Line"], 150.0)
    assert (unapplied["Line"], unapplied["UnappliedAmt"]) == ([], 300.0)
    assert balance(qbo, "Invoice", invoice["Id"]) == 450.0
    assert qbo.read("Invoice", invoice["Id"])["LinkedTxn"] == []
    assert balance(qbo, "Customer", jane["Id"]) == 150.0


def test_a_full_update_without_lines_unapplies_them(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 300, (invoice["Id"], 300))

    body = {**identity(payment), "CustomerRef": {"value": jane["Id"]}, "TotalAmt": 300}
    updated = qbo.create("Payment", body)

    assert updated["Line"] == []
    assert balance(qbo, "Invoice", invoice["Id"]) == 450.0


def test_a_void_zeroes_the_payment_and_gives_the_invoice_its_balance_back(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 450, (invoice["Id"], 450))

    response = qbo.post(
        "payment", {**identity(payment), "sparse": True}, operation="update", include="void"
    )

    voided = response.get_json()["Payment"]
    assert response.status_code == 200
    assert (voided["TotalAmt"], voided["UnappliedAmt"], voided["Line"]) == (0.0, 0.0, [])
    assert (voided["PrivateNote"], voided["SyncToken"]) == ("Voided", "1")
    assert qbo.read("Payment", payment["Id"]) == voided
    assert balance(qbo, "Invoice", invoice["Id"]) == 450.0
    assert balance(qbo, "Customer", jane["Id"]) == 450.0
    assert qbo.read("Account", UNDEPOSITED_FUNDS)["CurrentBalance"] == 0.0


def test_operation_void_is_not_how_payments_are_voided(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 450, (invoice["Id"], 450))

    response = qbo.post("payment", identity(payment), operation="void")

    assert (response.status_code, fault_of(response)["code"]) == (400, "500")
    assert balance(qbo, "Invoice", invoice["Id"]) == 0.0


def test_a_deleted_payment_gives_the_invoice_its_balance_back(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    payment = a_payment(qbo, jane["Id"], 450, (invoice["Id"], 450))

    response = qbo.post("payment", identity(payment), operation="delete")

    assert response.get_json()["Payment"] == {
        "status": "Deleted",
        "domain": "QBO",
        "Id": payment["Id"],
    }
    assert fault_of(qbo.get(f"payment/{payment['Id']}"))["code"] == "610"
    assert balance(qbo, "Invoice", invoice["Id"]) == 450.0
    assert qbo.read("Invoice", invoice["Id"])["LinkedTxn"] == []


def test_an_invoice_total_cannot_drop_below_what_is_paid_nor_change_customer(
    qbo: QboCalls, jane: dict[str, Any], invoice: dict[str, Any]
) -> None:
    a_payment(qbo, jane["Id"], 300, (invoice["Id"], 300))
    paid = qbo.read("Invoice", invoice["Id"])
    item_id = paid["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"]
    line = {
        "Amount": 200,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item_id}},
    }
    john = qbo.create_customer("John Roe")

    lowered = qbo.post("invoice", versioned(paid, Line=[line]))
    moved = qbo.post("invoice", versioned(paid, CustomerRef={"value": john["Id"]}))
    raised = qbo.create("Invoice", versioned(paid, Line=[{**line, "Amount": 500}]))

    assert [fault_of(lowered)["code"], fault_of(moved)["code"]] == ["6000", "620"]
    assert (raised["TotalAmt"], raised["Balance"]) == (500.0, 200.0)


def test_a_payment_for_an_inactive_customer_is_a_610_fault(qbo: QboCalls) -> None:
    gone = qbo.create_customer("Gone Away", Active=False)

    response = qbo.post("payment", a_payment_body(gone["Id"], 10))

    assert fault_of(response)["code"] == "610"


def test_a_payment_keeps_its_method_reference_and_date(qbo: QboCalls, jane: dict[str, Any]) -> None:
    body = {
        **a_payment_body(jane["Id"], 10),
        "PaymentMethodRef": {"value": "2"},
        "TxnDate": "2026-11-05",
        "PaymentRefNum": "1234",
    }

    payment = qbo.create("Payment", body)

    assert (payment["PaymentMethodRef"], payment["TxnDate"], payment["PaymentRefNum"]) == (
        {"value": "2"},
        "2026-11-05",
        "1234",
    )
    assert qbo.rows("select * from Payment where PaymentRefNum = '1234'") == [payment]
