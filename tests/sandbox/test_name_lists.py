"""Vendor and Employee, and the one list of display names they share with Customer."""

from __future__ import annotations

import pytest

from sandbox.app import create_app
from sandbox.faults import QboFault
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.books import versioned
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of, sample

NAME_LISTS = ("Customer", "Vendor", "Employee")


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_a_vendor_or_employee_is_created_read_and_found_by_name(qbo: QboCalls, entity: str) -> None:
    created = qbo.create(entity, {"GivenName": "Emily", "FamilyName": "Platt"})

    assert (created["DisplayName"], created["PrintOnCheckName"]) == ("Emily Platt", "Emily Platt")
    assert (created["SyncToken"], created["Active"], created["domain"]) == ("0", True, "QBO")
    assert qbo.read(entity, created["Id"]) == created
    assert qbo.rows(f"select * from {entity} where DisplayName = 'emily platt'") == [created]


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_a_sparse_update_changes_only_the_fields_sent_and_bumps_the_sync_token(
    qbo: QboCalls, entity: str
) -> None:
    created = qbo.create(
        entity, {"DisplayName": "Pat Lee", "PrimaryEmailAddr": {"Address": "pat@example.com"}}
    )

    updated = qbo.create(entity, versioned(created, FamilyName="Lee"))

    assert updated["SyncToken"] == "1"
    assert updated["PrimaryEmailAddr"] == {"Address": "pat@example.com"}
    assert (updated["DisplayName"], updated["FamilyName"]) == ("Pat Lee", "Lee")


def test_a_vendor_keeps_its_company_name_and_an_employee_has_none(qbo: QboCalls) -> None:
    vendor = qbo.create("Vendor", {"DisplayName": "Office Supplies Co", "CompanyName": "OSC"})
    employee = qbo.create("Employee", {"DisplayName": "Emily Platt", "CompanyName": "OSC"})

    assert vendor["CompanyName"] == "OSC"
    assert "CompanyName" not in employee


@pytest.mark.parametrize("first", NAME_LISTS)
@pytest.mark.parametrize("second", NAME_LISTS)
def test_a_display_name_is_unique_across_customers_vendors_and_employees(
    qbo: QboCalls, first: str, second: str
) -> None:
    qbo.create(first, {"DisplayName": "Office Supplies Co"})

    response = qbo.post(second.lower(), {"DisplayName": "OFFICE SUPPLIES CO"})

    assert response.status_code == 400
    assert fault_of(response) == sample("fault_duplicate_name.json")["Fault"]["Error"][0]


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_an_inactive_vendor_or_employee_keeps_its_name_from_a_new_customer(
    qbo: QboCalls, entity: str
) -> None:
    qbo.create(entity, {"DisplayName": "Emily Platt", "Active": False})

    response = qbo.post("customer", {"DisplayName": "Emily Platt"})

    assert fault_of(response)["code"] == "6240"


def test_renaming_a_vendor_to_a_customers_name_is_a_6240_fault(qbo: QboCalls) -> None:
    qbo.create_customer("Emily Platt")
    vendor = qbo.create("Vendor", {"DisplayName": "Platt Supplies"})

    response = qbo.post("vendor", versioned(vendor, DisplayName="Emily Platt"))

    assert fault_of(response)["code"] == "6240"


def test_with_exact_name_case_a_vendor_may_differ_from_a_customer_by_case_only(
    state: SandboxState,
) -> None:
    state.options = SandboxOptions(name_case="sensitive")
    qbo = QboCalls(create_app(state).test_client())
    qbo.create_customer("Emily Platt")

    response = qbo.post("vendor", {"DisplayName": "EMILY PLATT"})

    assert response.status_code == 200


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_vendors_and_employees_follow_the_customer_name_rules(qbo: QboCalls, entity: str) -> None:
    too_long = qbo.post(entity.lower(), {"DisplayName": "x" * 501})
    colon = qbo.post(entity.lower(), {"DisplayName": "Platt: Emily"})
    nameless = qbo.post(entity.lower(), {"PrimaryEmailAddr": {"Address": "a@b.co"}})
    bad_email = qbo.post(entity.lower(), {"DisplayName": "E", "PrimaryEmailAddr": {"Address": "e"}})

    codes = [fault_of(r)["code"] for r in (too_long, colon, nameless, bad_email)]
    assert codes == ["2050", "6000", "6080", "2210"]


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_deleting_a_vendor_or_employee_is_an_unsupported_operation(
    qbo: QboCalls, entity: str
) -> None:
    created = qbo.create(entity, {"DisplayName": "Emily Platt"})

    response = qbo.post(entity.lower(), versioned(created), operation="delete")

    assert (response.status_code, fault_of(response)["code"]) == (400, "500")


@pytest.mark.parametrize("entity", ["Vendor", "Employee"])
def test_inactive_vendors_and_employees_are_left_out_of_queries(qbo: QboCalls, entity: str) -> None:
    qbo.create(entity, {"DisplayName": "Still Here"})
    gone = qbo.create(entity, {"DisplayName": "Gone Away"})
    qbo.create(entity, versioned(gone, Active=False))

    assert [r["DisplayName"] for r in qbo.rows(f"select * from {entity}")] == ["Still Here"]
    inactive = qbo.rows(f"select * from {entity} where Active = false")
    assert [r["DisplayName"] for r in inactive] == ["Gone Away"]


def test_a_vendors_email_is_not_queryable(qbo: QboCalls) -> None:
    response = qbo.query("select * from Vendor where PrimaryEmailAddr = 'a@b.co'")

    assert fault_of(response)["Detail"] == (
        "QueryValidationError: property 'PrimaryEmailAddr' is not queryable"
    )


def test_customers_vendors_and_employees_draw_ids_from_one_counter(state: SandboxState) -> None:
    customer = state.add_customer(REALM_ID, DisplayName="A Customer")
    vendor = state.add_vendor(REALM_ID, DisplayName="A Vendor")
    employee = state.add_employee(REALM_ID, DisplayName="An Employee")

    assert [customer["Id"], vendor["Id"], employee["Id"]] == ["1", "2", "3"]


def test_the_seed_helpers_apply_the_name_rules_too(state: SandboxState) -> None:
    state.add_vendor(REALM_ID, DisplayName="Office Supplies Co")

    with pytest.raises(QboFault) as raised:
        state.add_employee(REALM_ID, DisplayName="office supplies co")

    assert raised.value.errors[0].code == "6240"


def test_the_inactive_suffix_switch_renames_and_frees_a_deactivated_name(
    state: SandboxState,
) -> None:
    state.options = SandboxOptions(inactive_suffix=True)
    qbo = QboCalls(create_app(state).test_client())
    vendor = qbo.create("Vendor", {"DisplayName": "Emily Platt"})

    gone = qbo.create("Vendor", versioned(vendor, Active=False))
    customer = qbo.post("customer", {"DisplayName": "Emily Platt"})
    back = qbo.create("Vendor", versioned(gone, Active=True, DisplayName="Emily Platt Co"))

    assert gone["DisplayName"] == "Emily Platt (deleted)"
    assert customer.status_code == 200
    assert back["DisplayName"] == "Emily Platt Co"
