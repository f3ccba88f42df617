"""Deactivating customers (API and UI) and merging them as a QBO user does in the UI."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.app import create_app
from sandbox.faults import QboFault
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.books import a_payment, an_invoice, an_item, versioned
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


@pytest.fixture
def item(qbo: QboCalls) -> dict[str, Any]:
    return an_item(qbo)


def owing(qbo: QboCalls, name: str, item: dict[str, Any], amount: float = 120) -> dict[str, Any]:
    customer = qbo.create_customer(name)
    an_invoice(qbo, customer["Id"], item["Id"], amount)
    return qbo.read("Customer", customer["Id"])


def test_deactivating_a_customer_who_owes_is_a_6000_delete_list_has_balance_fault(
    qbo: QboCalls, item: dict[str, Any]
) -> None:
    jane = owing(qbo, "Jane Doe", item)

    response = qbo.post("customer", versioned(jane, Active=False))

    assert response.status_code == 400
    error = fault_of(response)
    assert (error["code"], error["Message"]) == ("6000", "Delete List Has Balance Error")
    assert "non-zero balance" in error["Detail"]
    assert qbo.read("Customer", jane["Id"])["Active"] is True


def test_a_customer_with_credit_cannot_be_deactivated_either(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")
    a_payment(qbo, jane["Id"], 25)

    response = qbo.post("customer", versioned(qbo.read("Customer", jane["Id"]), Active=False))

    assert fault_of(response)["code"] == "6000"


def test_the_switch_lets_a_customer_who_owes_be_deactivated(
    state: SandboxState, item: dict[str, Any]
) -> None:
    state.options = SandboxOptions(deactivate_with_balance=True)
    qbo = QboCalls(create_app(state).test_client())
    jane = owing(qbo, "Jane Doe", item)

    updated = qbo.create("Customer", versioned(jane, Active=False))

    assert (updated["Active"], updated["Balance"]) == (False, 120.0)


def test_a_paid_up_customer_is_deactivated_and_keeps_its_name(
    qbo: QboCalls, item: dict[str, Any]
) -> None:
    jane = owing(qbo, "Jane Doe", item)
    invoice_id = qbo.rows("select * from Invoice")[0]["Id"]
    a_payment(qbo, jane["Id"], 120, (invoice_id, 120))

    updated = qbo.create("Customer", versioned(qbo.read("Customer", jane["Id"]), Active=False))

    assert (updated["Active"], updated["DisplayName"], updated["Balance"]) == (
        False,
        "Jane Doe",
        0.0,
    )


def test_the_ui_deactivates_a_customer_who_owes_and_its_sub_customers(
    state: SandboxState, qbo: QboCalls, item: dict[str, Any]
) -> None:
    jane = owing(qbo, "Jane Doe", item)
    job = qbo.create_customer("Jane's Return", ParentRef={"value": jane["Id"]})

    deactivated = state.deactivate_customer(REALM_ID, jane["Id"])

    assert (deactivated["Active"], deactivated["Balance"]) == (False, 120.0)
    assert deactivated["SyncToken"] == str(int(jane["SyncToken"]) + 1)
    assert qbo.read("Customer", job["Id"])["Active"] is False
    assert qbo.rows("select * from Customer") == []
    changes = state.changes(REALM_ID, state.now().replace(year=2000), ["Customer"])
    assert [(c.entity_id, c.operation) for c in changes][-2:] == [
        (jane["Id"], "Update"),
        (job["Id"], "Update"),
    ]


def test_the_ui_deactivation_follows_the_inactive_suffix_switch(state: SandboxState) -> None:
    state.options = SandboxOptions(inactive_suffix=True)
    jane = state.add_customer(REALM_ID, DisplayName="Jane Doe")
    job = state.add_customer(REALM_ID, DisplayName="Return", ParentRef={"value": jane["Id"]})

    state.deactivate_customer(REALM_ID, jane["Id"])

    assert state.read(REALM_ID, "Customer", job["Id"])["FullyQualifiedName"] == (
        "Jane Doe (deleted):Return (deleted)"
    )


def test_a_merge_moves_invoices_and_payments_to_the_surviving_customer(
    state: SandboxState, qbo: QboCalls, item: dict[str, Any]
) -> None:
    old = owing(qbo, "Jane Doe Old", item, 100)
    new = owing(qbo, "Jane Doe", item, 50)
    old_invoice = qbo.rows(f"select * from Invoice where CustomerRef = '{old['Id']}'")[0]
    payment = a_payment(qbo, old["Id"], 30, (old_invoice["Id"], 30))

    survivor = state.merge_customers(REALM_ID, old["Id"], new["Id"])

    assert (survivor["Id"], survivor["Balance"]) == (new["Id"], 120.0)
    assert survivor["SyncToken"] == str(int(new["SyncToken"]) + 1)
    moved = qbo.read("Invoice", old_invoice["Id"])
    assert moved["CustomerRef"] == {"value": new["Id"], "name": "Jane Doe"}
    assert moved["SyncToken"] == str(int(old_invoice["SyncToken"]) + 2)  # paid, then moved
    assert qbo.read("Payment", payment["Id"])["CustomerRef"]["value"] == new["Id"]


def test_a_merged_away_customer_is_unreadable_and_a_deleted_stub(
    state: SandboxState, qbo: QboCalls
) -> None:
    old, new = qbo.create_customer("Old Name"), qbo.create_customer("New Name")

    state.merge_customers(REALM_ID, old["Id"], new["Id"])

    assert fault_of(qbo.get(f"customer/{old['Id']}"))["code"] == "610"
    assert state.latest(REALM_ID, "Customer", old["Id"])["status"] == "Deleted"  # type: ignore[index]
    assert qbo.rows("select * from Customer where Active in (true, false)") == [
        qbo.read("Customer", new["Id"])
    ]
    assert qbo.create_customer("Old Name")["DisplayName"] == "Old Name"


def test_a_merge_is_one_journal_entry_naming_the_merged_away_id(
    state: SandboxState, qbo: QboCalls
) -> None:
    old, new = qbo.create_customer("Old Name"), qbo.create_customer("New Name")

    state.merge_customers(REALM_ID, old["Id"], new["Id"])

    last = state.changes(REALM_ID, state.now().replace(year=2000), ["Customer"])[-1]
    assert (last.entity_id, last.operation, last.deleted_id) == (new["Id"], "Merge", old["Id"])


def test_a_customer_with_sub_customers_cannot_be_merged(state: SandboxState, qbo: QboCalls) -> None:
    old, new = qbo.create_customer("Old Name"), qbo.create_customer("New Name")
    qbo.create_customer("Old Job", ParentRef={"value": old["Id"]})

    with pytest.raises(QboFault) as raised:
        state.merge_customers(REALM_ID, old["Id"], new["Id"])

    assert raised.value.errors[0].code == "6000"
    assert qbo.read("Customer", old["Id"])["Active"] is True


@pytest.mark.parametrize("case", ["itself", "other level", "unknown"])
def test_the_ui_refuses_other_merges(state: SandboxState, qbo: QboCalls, case: str) -> None:
    top = qbo.create_customer("Top")
    job = qbo.create_customer("Job", ParentRef={"value": top["Id"]})
    other = qbo.create_customer("Other")
    pairs = {
        "itself": (top["Id"], top["Id"]),
        "other level": (job["Id"], other["Id"]),
        "unknown": ("404", top["Id"]),
    }

    with pytest.raises(QboFault) as raised:
        state.merge_customers(REALM_ID, *pairs[case])

    assert raised.value.errors[0].code == ("610" if case == "unknown" else "6000")
