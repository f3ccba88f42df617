"""Sub-customers: Job, ParentRef, Level and FullyQualifiedName, at most 4 levels deep."""

from __future__ import annotations

from typing import Any

from tests.sandbox.books import versioned
from tests.sandbox.qbo_calls import QboCalls, fault_of


def a_child(qbo: QboCalls, name: str, parent: dict[str, Any]) -> dict[str, Any]:
    return qbo.create_customer(name, ParentRef={"value": parent["Id"]}, Job=True)


def test_a_sub_customer_has_job_parent_level_and_a_qualified_name(qbo: QboCalls) -> None:
    parent = qbo.create_customer("Amy's Bird Sanctuary")

    child = a_child(qbo, "2025 Tax Return", parent)

    assert (child["Job"], child["ParentRef"], child["Level"]) == (True, {"value": parent["Id"]}, 1)
    assert child["FullyQualifiedName"] == "Amy's Bird Sanctuary:2025 Tax Return"
    assert child["DisplayName"] == "2025 Tax Return"
    assert "Level" not in parent and parent["Job"] is False


def test_a_customer_may_sit_four_levels_below_the_top_but_not_five(qbo: QboCalls) -> None:
    row = qbo.create_customer("Top")
    for depth in range(1, 5):
        row = a_child(qbo, f"Level {depth}", row)

    too_deep = qbo.post("customer", {"DisplayName": "Level 5", "ParentRef": {"value": row["Id"]}})

    assert row["Level"] == 4
    assert row["FullyQualifiedName"] == "Top:Level 1:Level 2:Level 3:Level 4"
    assert (too_deep.status_code, fault_of(too_deep)["code"]) == (400, "6000")


def test_moving_a_customer_with_sub_customers_counts_their_levels_too(qbo: QboCalls) -> None:
    top = qbo.create_customer("Top")
    deep = a_child(qbo, "Deep 1", top)
    for depth in range(2, 5):
        deep = a_child(qbo, f"Deep {depth}", deep)
    other = qbo.create_customer("Other")
    mover = qbo.create_customer("Mover")
    a_child(qbo, "Mover's Job", mover)

    fits = qbo.post("customer", versioned(mover, ParentRef={"value": other["Id"]}))
    moved = fits.get_json()["Customer"]
    too_deep = qbo.post("customer", versioned(moved, ParentRef={"value": deep["Id"]}))

    assert fits.status_code == 200
    assert fault_of(too_deep)["code"] == "6000"


def test_renaming_a_parent_renames_its_sub_customers_qualified_names(qbo: QboCalls) -> None:
    parent = qbo.create_customer("Old Name")
    child = a_child(qbo, "Job", parent)
    grandchild = a_child(qbo, "Phase", child)

    qbo.create("Customer", versioned(parent, DisplayName="New Name"))

    assert qbo.read("Customer", grandchild["Id"])["FullyQualifiedName"] == "New Name:Job:Phase"
    assert qbo.read("Customer", child["Id"])["SyncToken"] == child["SyncToken"]


def test_a_customer_cannot_become_its_own_ancestor(qbo: QboCalls) -> None:
    parent = qbo.create_customer("Parent")
    child = a_child(qbo, "Child", parent)

    itself = qbo.post("customer", versioned(parent, ParentRef={"value": parent["Id"]}))
    below = qbo.post("customer", versioned(parent, ParentRef={"value": child["Id"]}))

    assert [fault_of(itself)["code"], fault_of(below)["code"]] == ["6000", "6000"]


def test_a_parent_ref_to_nobody_is_2500_and_to_an_inactive_customer_610(qbo: QboCalls) -> None:
    gone = qbo.create_customer("Gone", Active=False)

    unknown = qbo.post("customer", {"DisplayName": "Job", "ParentRef": {"value": "999"}})
    inactive = qbo.post("customer", {"DisplayName": "Job", "ParentRef": {"value": gone["Id"]}})

    assert (fault_of(unknown)["code"], fault_of(unknown)["element"]) == ("2500", "ParentRef")
    assert fault_of(inactive)["code"] == "610"


def test_job_true_without_a_parent_ref_is_a_2020_fault(qbo: QboCalls) -> None:
    response = qbo.post("customer", {"DisplayName": "Orphan Job", "Job": True})

    assert (fault_of(response)["code"], fault_of(response)["element"]) == ("2020", "ParentRef")


def test_a_full_update_without_parent_ref_makes_a_top_level_customer(qbo: QboCalls) -> None:
    parent = qbo.create_customer("Parent")
    child = a_child(qbo, "Child", parent)

    body = {"Id": child["Id"], "SyncToken": child["SyncToken"], "DisplayName": "Child"}
    updated = qbo.create("Customer", body)

    assert (updated["Job"], updated["FullyQualifiedName"]) == (False, "Child")
    assert not {"ParentRef", "Level"} & set(updated)


def test_sub_customer_names_are_unique_like_any_display_name(qbo: QboCalls) -> None:
    first = qbo.create_customer("First")
    second = qbo.create_customer("Second")
    a_child(qbo, "Kitchen", first)

    response = qbo.post(
        "customer", {"DisplayName": "Kitchen", "ParentRef": {"value": second["Id"]}}
    )

    assert fault_of(response)["code"] == "6240"


def test_sub_customers_are_found_by_their_qualified_name(qbo: QboCalls) -> None:
    parent = qbo.create_customer("Parent")
    child = a_child(qbo, "Child", parent)

    rows = qbo.rows("select * from Customer where FullyQualifiedName = 'Parent:Child'")

    assert [row["Id"] for row in rows] == [child["Id"]]
