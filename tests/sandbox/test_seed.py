"""The demo company: its lists, and the variants tests ask for."""

from __future__ import annotations

import pytest

from sandbox.faults import QboFault
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    DEMO_REALM_ID,
    seed_demo_company,
)
from sandbox.state import SandboxState


def names(state: SandboxState, realm_id: str, statement: str, key: str = "Name") -> list[str]:
    answer = state.query(realm_id, statement)
    return [row[key] for rows in answer.values() if isinstance(rows, list) for row in rows]


def test_the_demo_company_has_a_chart_an_item_a_class_and_a_department() -> None:
    state = SandboxState()

    realm_id = seed_demo_company(state)

    assert realm_id == DEMO_REALM_ID
    assert names(state, realm_id, "select * from Account orderby Name") == [
        "Checking",
        "Services",
        "Undeposited Funds",
    ]
    [item] = state.query(realm_id, "select * from Item")["Item"]
    assert (item["Name"], item["Type"], item["IncomeAccountRef"]["name"]) == (
        "Bookkeeping",
        "Service",
        "Services",
    )
    assert names(state, realm_id, "select * from Class") == ["Tax Services"]
    assert names(state, realm_id, "select * from Department") == ["Main Office"]
    assert names(state, realm_id, "select * from Vendor", "DisplayName") == []
    assert state.token_is_valid(realm_id, DEMO_ACCESS_TOKEN)


def test_the_demo_customers_keep_their_ids_and_types() -> None:
    state = SandboxState()
    seed_demo_company(state)

    customers = state.customers(DEMO_REALM_ID)

    assert [c["Id"] for c in customers] == [str(n) for n in range(1, 11)]
    assert customers[-1]["DisplayName"] == "John Melton"
    assert customers[-1]["CustomerTypeRef"]["value"] == "5000000000000018823"


def test_without_the_individual_type_only_business_remains() -> None:
    state = SandboxState()

    seed_demo_company(state, with_individual_type=False)

    assert names(state, DEMO_REALM_ID, "select * from CustomerType") == ["Business"]
    people = [c for c in state.customers(DEMO_REALM_ID) if "CompanyName" not in c]
    assert len(people) == 4
    assert all("CustomerTypeRef" not in c for c in people)


def test_colliding_names_add_a_vendor_and_an_employee_that_block_those_customers() -> None:
    state = SandboxState()
    seed_demo_company(state, colliding_names=True)

    with pytest.raises(QboFault) as vendor_clash:
        state.add_customer(DEMO_REALM_ID, DisplayName="Office Supplies Co")
    with pytest.raises(QboFault) as employee_clash:
        state.add_customer(DEMO_REALM_ID, GivenName="Emily", FamilyName="Platt")

    assert names(state, DEMO_REALM_ID, "select * from Vendor", "DisplayName") == [
        "Office Supplies Co"
    ]
    assert names(state, DEMO_REALM_ID, "select * from Employee", "DisplayName") == ["Emily Platt"]
    assert {vendor_clash.value.errors[0].code, employee_clash.value.errors[0].code} == {"6240"}


def test_the_demo_company_can_be_seeded_under_another_realm_id_beside_the_default() -> None:
    state = SandboxState()
    seed_demo_company(state)

    other = seed_demo_company(state, realm_id="4620816365", access_token="second-token")

    assert other == "4620816365"
    assert len(state.customers(other)) == len(state.customers(DEMO_REALM_ID)) == 10
    assert state.token_is_valid(other, "second-token")
    assert not state.token_is_valid(other, DEMO_ACCESS_TOKEN)  # a token serves one company
