"""Factories for the sandbox's transaction tests: items, invoices and payments over HTTP."""

from __future__ import annotations

from typing import Any

from tests.sandbox.qbo_calls import QboCalls

SERVICES_ACCOUNT = "1"  # the income account every new realm gets ("Services")
UNDEPOSITED_FUNDS = "2"
CHECKING = "3"


def an_item(qbo: QboCalls, name: str = "Bookkeeping", **fields: Any) -> dict[str, Any]:
    """A Service item on the Services income account."""
    body = {"Name": name, "Type": "Service", "IncomeAccountRef": {"value": SERVICES_ACCOUNT}}
    return qbo.create("Item", {**body, **fields})


def a_sales_line(item_id: str, amount: Any, qty: Any = None, price: Any = None) -> dict[str, Any]:
    """One SalesItemLineDetail line for `item_id`."""
    detail: dict[str, Any] = {"ItemRef": {"value": item_id}}
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}


def an_invoice_body(customer_id: str, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An invoice request for `customer_id` with these lines."""
    return {"CustomerRef": {"value": customer_id}, "Line": list(lines), **fields}


def an_invoice(
    qbo: QboCalls, customer_id: str, item_id: str, amount: Any = 450, **fields: Any
) -> dict[str, Any]:
    """An invoice of one sales line of `amount`, created over HTTP."""
    return qbo.create(
        "Invoice", an_invoice_body(customer_id, a_sales_line(item_id, amount), **fields)
    )


def a_payment_body(customer_id: str, total: Any, *applied: tuple[str, Any]) -> dict[str, Any]:
    """A payment request of `total`, applying (invoice Id, amount) pairs."""
    lines = [
        {"Amount": value, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        for invoice_id, value in applied
    ]
    return {"CustomerRef": {"value": customer_id}, "TotalAmt": total, "Line": lines}


def a_payment(
    qbo: QboCalls, customer_id: str, total: Any, *applied: tuple[str, Any]
) -> dict[str, Any]:
    """A payment created over HTTP."""
    return qbo.create("Payment", a_payment_body(customer_id, total, *applied))


def versioned(row: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A sparse update body for a stored entity: its Id and SyncToken plus `fields`."""
    return {"Id": row["Id"], "SyncToken": row["SyncToken"], "sparse": True, **fields}
