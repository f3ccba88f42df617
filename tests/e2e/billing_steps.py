"""Steps the invoice and payment scenarios share, over the running system's API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.e2e.conftest import System
from tests.waiting import wait_for


def invoice_body(account: str, *, number: str, amount: str = "300.00") -> dict[str, Any]:
    return {
        "account_id": account,
        "number": number,
        "issued_on": "2026-11-02",
        "lines": [
            {
                "service": "Bookkeeping",
                "description": "Monthly books",
                "quantity": "1",
                "rate": amount,
                "amount": amount,
            }
        ],
        "total": amount,
    }


def put_invoice(system: System, external_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = system.http.put(f"/v1/invoices/{external_id}", json=body, headers=system.headers)
    assert answer.status_code in (200, 201), answer.json()
    put: dict[str, Any] = answer.json()
    return put


def record(system: System, kind: str, external_id: str) -> dict[str, Any]:
    answer = system.http.get(f"/v1/{kind}/{external_id}", headers=system.headers)
    assert answer.status_code == 200, answer.json()
    body: dict[str, Any] = answer.json()
    return body


def settled_record(system: System, kind: str, external_id: str) -> dict[str, Any]:
    """The invoice or payment once no job is queued or running for it."""

    def probe() -> dict[str, Any] | None:
        current = record(system, kind, external_id)
        return None if current["status"] == "syncing" else current

    return wait_for(probe, what=f"{kind} {external_id} to settle")


def qbo_invoices(sandbox: Sandbox, number: str) -> list[dict[str, Any]]:
    """The sandbox's invoices with this number."""
    answer = sandbox.state.query(
        sandbox.realm_id, f"select * from Invoice where DocNumber = '{number}'"
    )
    invoices: list[dict[str, Any]] = answer.get("Invoice", [])
    return invoices


def qbo_payments(sandbox: Sandbox) -> list[dict[str, Any]]:
    payments: list[dict[str, Any]] = sandbox.state.query(
        sandbox.realm_id, "select * from Payment"
    ).get("Payment", [])
    return payments
