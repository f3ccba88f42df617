"""The chart of accounts and items: what every realm starts with, names, types and references."""

from __future__ import annotations

import pytest

from sandbox.state import SandboxState
from tests.sandbox.books import SERVICES_ACCOUNT, an_item, versioned
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


def test_a_new_realm_has_the_minimal_chart_of_accounts(qbo: QboCalls) -> None:
    accounts = qbo.rows("select * from Account orderby Id")

    assert [
        (a["Name"], a["AccountType"], a["AccountSubType"], a["Classification"]) for a in accounts
    ] == [
        ("Services", "Income", "ServiceFeeIncome", "Revenue"),
        ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "Asset"),
        ("Checking", "Bank", "Checking", "Asset"),
    ]
    assert all(a["CurrentBalance"] == 0 and a["Active"] for a in accounts)


def test_an_account_type_is_inferred_from_a_known_sub_type(qbo: QboCalls) -> None:
    account = qbo.create("Account", {"Name": "Savings", "AccountSubType": "Savings"})

    assert (account["AccountType"], account["Classification"]) == ("Bank", "Asset")
    assert account["FullyQualifiedName"] == "Savings"


def test_an_account_without_type_or_known_sub_type_is_a_2020_fault(qbo: QboCalls) -> None:
    response = qbo.post("account", {"Name": "Mystery", "AccountSubType": "Whatever"})

    assert (fault_of(response)["code"], fault_of(response)["element"]) == ("2020", "AccountType")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"AccountType": "Bank"}, "2020"),
        ({"Name": "x" * 101, "AccountType": "Bank"}, "2050"),
        ({"Name": "Cash: Petty", "AccountType": "Bank"}, "6000"),
        ({"Name": 'The "Float"', "AccountType": "Bank"}, "6000"),
        ({"Name": "checking", "AccountType": "Bank"}, "6240"),
        ({"Name": "Float", "AccountType": "Piggy Bank"}, "2010"),
    ],
)
def test_account_names_and_types_are_checked(
    qbo: QboCalls, body: dict[str, str], code: str
) -> None:
    assert fault_of(qbo.post("account", body))["code"] == code


def test_a_deactivated_account_is_renamed_deleted_and_hidden(qbo: QboCalls) -> None:
    account = qbo.create("Account", {"Name": "Old Bank", "AccountType": "Bank"})

    gone = qbo.create("Account", versioned(account, Active=False))
    back = qbo.create("Account", versioned(gone, Active=True))

    assert gone["Name"] == gone["FullyQualifiedName"] == "Old Bank (deleted)"
    assert back["Name"] == "Old Bank"
    assert qbo.rows("select * from Account where Name = 'Old Bank'") == [back]


def test_deleting_an_account_is_an_unsupported_operation(qbo: QboCalls) -> None:
    checking = qbo.rows("select * from Account where Name = 'Checking'")[0]

    response = qbo.post("account", versioned(checking), operation="delete")

    assert fault_of(response)["code"] == "500"


def test_a_service_item_answers_with_its_income_account_named(qbo: QboCalls) -> None:
    item = an_item(qbo, UnitPrice=150, Description="Monthly bookkeeping")

    assert item["IncomeAccountRef"] == {"value": SERVICES_ACCOUNT, "name": "Services"}
    assert (item["Type"], item["UnitPrice"], item["FullyQualifiedName"]) == (
        "Service",
        150,
        "Bookkeeping",
    )
    assert qbo.read("Item", item["Id"]) == item


def test_a_non_inventory_item_is_accepted_and_inventory_is_not_modelled(qbo: QboCalls) -> None:
    body = {"Type": "NonInventory", "IncomeAccountRef": {"value": SERVICES_ACCOUNT}}

    non_inventory = qbo.post("item", {"Name": "Binders", **body})
    inventory = qbo.post("item", {"Name": "Widgets", **body, "Type": "Inventory"})

    assert non_inventory.status_code == 200
    assert fault_of(inventory)["code"] == "6000"


@pytest.mark.parametrize(
    ("body", "code", "element"),
    [
        ({"Type": "Service", "IncomeAccountRef": {"value": "1"}}, "2020", "Name"),
        ({"Name": "Audit", "IncomeAccountRef": {"value": "1"}}, "2020", "Type"),
        ({"Name": "Audit", "Type": "Service"}, "2020", "IncomeAccountRef"),
        (
            {"Name": "Audit", "Type": "Service", "IncomeAccountRef": {"value": "99"}},
            "2500",
            "IncomeAccountRef",
        ),
        (
            {"Name": "Audit", "Type": "Service", "IncomeAccountRef": {"value": "3"}},
            "6000",
            "IncomeAccountRef",
        ),
        (
            {"Name": "x" * 101, "Type": "Service", "IncomeAccountRef": {"value": "1"}},
            "2050",
            "Name",
        ),
        ({"Name": "Audit", "Type": "Gizmo", "IncomeAccountRef": {"value": "1"}}, "2010", ""),
    ],
)
def test_item_fields_are_checked(
    qbo: QboCalls, body: dict[str, object], code: str, element: str
) -> None:
    error = fault_of(qbo.post("item", body))

    assert (error["code"], error["element"]) == (code, element)


def test_an_item_name_is_unique_whatever_its_case_inactive_ones_too(qbo: QboCalls) -> None:
    item = an_item(qbo, "Bookkeeping")
    qbo.create("Item", versioned(item, Active=False))

    response = qbo.post(
        "item", {"Name": "BOOKKEEPING", "Type": "Service", "IncomeAccountRef": {"value": "1"}}
    )

    assert fault_of(response)["code"] == "6240"


def test_an_item_on_an_inactive_income_account_is_a_610_fault(qbo: QboCalls) -> None:
    services = qbo.read("Account", SERVICES_ACCOUNT)
    qbo.create("Account", versioned(services, Active=False))

    response = qbo.post(
        "item", {"Name": "Audit", "Type": "Service", "IncomeAccountRef": {"value": "1"}}
    )

    assert fault_of(response)["code"] == "610"


def test_inactive_items_are_hidden_from_queries_unless_asked_for(qbo: QboCalls) -> None:
    an_item(qbo, "Kept")
    gone = an_item(qbo, "Gone")
    qbo.create("Item", versioned(gone, Active=False))

    assert [i["Name"] for i in qbo.rows("select * from Item")] == ["Kept"]
    assert [i["Name"] for i in qbo.rows("select * from Item where Active = false")] == ["Gone"]
    assert qbo.rows("select * from Item where Type = 'Service' and Name like 'G%'") == []


def test_the_seed_helpers_write_accounts_and_items(state: SandboxState) -> None:
    account = state.add_account(REALM_ID, Name="Consulting Income", AccountType="Income")

    item = state.add_item(
        REALM_ID, Name="Advice", Type="Service", IncomeAccountRef={"value": account["Id"]}
    )

    assert item["IncomeAccountRef"]["name"] == "Consulting Income"
