"""Class and Department: names, nesting and deactivation."""

from __future__ import annotations

import pytest

from sandbox.state import SandboxState
from tests.sandbox.books import versioned
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of

SEGMENTS = [("Class", "SubClass"), ("Department", "SubDepartment")]


@pytest.mark.parametrize(("entity", "flag"), SEGMENTS)
def test_a_top_level_entry_is_its_own_qualified_name(qbo: QboCalls, entity: str, flag: str) -> None:
    created = qbo.create(entity, {"Name": "Tax Services"})

    assert (created["FullyQualifiedName"], created[flag], created["Active"]) == (
        "Tax Services",
        False,
        True,
    )
    assert qbo.read(entity, created["Id"]) == created


@pytest.mark.parametrize(("entity", "flag"), SEGMENTS)
def test_a_sub_entry_names_its_parent(qbo: QboCalls, entity: str, flag: str) -> None:
    parent = qbo.create(entity, {"Name": "West"})

    child = qbo.create(entity, {"Name": "Oakland", "ParentRef": {"value": parent["Id"]}})

    assert (child[flag], child["ParentRef"]) == (True, {"value": parent["Id"]})
    assert child["FullyQualifiedName"] == "West:Oakland"


@pytest.mark.parametrize("entity", ["Class", "Department"])
def test_names_are_required_short_colon_free_and_unique(qbo: QboCalls, entity: str) -> None:
    qbo.create(entity, {"Name": "Payroll"})

    codes = [
        fault_of(qbo.post(entity.lower(), body))["code"]
        for body in ({}, {"Name": "x" * 101}, {"Name": "A:B"}, {"Name": "PAYROLL"})
    ]

    assert codes == ["2020", "2050", "6000", "6240"]


@pytest.mark.parametrize("entity", ["Class", "Department"])
def test_two_parents_may_have_sub_entries_of_one_name(qbo: QboCalls, entity: str) -> None:
    east = qbo.create(entity, {"Name": "East"})
    west = qbo.create(entity, {"Name": "West"})
    qbo.create(entity, {"Name": "Downtown", "ParentRef": {"value": east["Id"]}})

    response = qbo.post(entity.lower(), {"Name": "Downtown", "ParentRef": {"value": west["Id"]}})

    assert response.status_code == 200


@pytest.mark.parametrize("entity", ["Class", "Department"])
def test_inactive_entries_are_hidden_from_queries(qbo: QboCalls, entity: str) -> None:
    kept = qbo.create(entity, {"Name": "Kept"})
    gone = qbo.create(entity, {"Name": "Gone"})
    qbo.create(entity, versioned(gone, Active=False))

    assert qbo.rows(f"select * from {entity}") == [kept]
    assert qbo.query(f"select count(*) from {entity} where Active in (true, false)").get_json()[
        "QueryResponse"
    ] == {"totalCount": 2}


def test_class_ids_are_long_like_qbos_and_departments_count_from_one(state: SandboxState) -> None:
    klass = state.add_class(REALM_ID, Name="Tax Services")
    department = state.add_department(REALM_ID, Name="Main Office")

    assert (klass["Id"], department["Id"]) == ("5000000000000007280", "1")
