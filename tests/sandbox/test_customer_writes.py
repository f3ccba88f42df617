"""Customer create, read and update, and the faults QBO gives for Ids, tokens and names."""

from __future__ import annotations

import re

from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of, sample

OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_a_create_answers_the_customer_with_qbo_defaults(qbo: QboCalls) -> None:
    response = qbo.post("customer", {"GivenName": "Jane", "FamilyName": "Doe"})

    assert response.status_code == 200
    customer = response.get_json()["Customer"]
    assert {k: customer[k] for k in ("Id", "SyncToken", "domain", "sparse", "Active")} == {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Active": True,
    }
    assert customer["DisplayName"] == "Jane Doe"
    assert customer["FullyQualifiedName"] == customer["PrintOnCheckName"] == "Jane Doe"
    assert (customer["Balance"], customer["Taxable"]) == (0, True)
    assert "CustomerTypeRef" not in customer
    assert OFFSET_TIME.match(customer["MetaData"]["CreateTime"])
    assert customer["MetaData"]["LastUpdatedTime"] == customer["MetaData"]["CreateTime"]


def test_ids_count_up_per_realm(state: SandboxState) -> None:
    state.add_realm("other")

    first = state.add_customer(REALM_ID, DisplayName="One")
    second = state.add_customer(REALM_ID, DisplayName="Two")
    elsewhere = state.add_customer("other", DisplayName="One")

    assert (first["Id"], second["Id"], elsewhere["Id"]) == ("1", "2", "1")


def test_a_missing_display_name_is_built_from_the_name_parts(qbo: QboCalls) -> None:
    body = {"Title": "Dr.", "GivenName": "Ada", "MiddleName": "K.", "FamilyName": "Byron"}

    customer = qbo.post("customer", {**body, "Suffix": "Jr."}).get_json()["Customer"]

    assert customer["DisplayName"] == "Dr. Ada K. Byron Jr."


def test_a_customer_without_any_name_is_a_6080_fault(qbo: QboCalls) -> None:
    response = qbo.post("customer", {"DisplayName": "", "PrimaryEmailAddr": {"Address": "a@b.co"}})

    assert response.status_code == 400
    assert fault_of(response)["code"] == "6080"


def test_what_clients_send_for_unset_and_read_only_fields_is_tolerated(qbo: QboCalls) -> None:
    # python-quickbooks sends every field: "" when unset, SyncToken as a number,
    # read-only fields, and refs with an extra "type".
    body = {
        "Id": "",
        "SyncToken": 0,
        "DisplayName": "Jane Doe",
        "GivenName": "",
        "CompanyName": "",
        "Balance": 125.5,
        "FullyQualifiedName": "Something Else",
        "MetaData": {"CreateTime": "", "LastUpdatedTime": ""},
        "CustomerTypeRef": {"value": "", "name": "", "type": ""},
        "PrimaryEmailAddr": {"Address": ""},
        "ParentRef": None,
        "SomeFutureField": {"x": 1},
    }

    response = qbo.post("customer", body)

    assert response.status_code == 200, response.get_json()
    customer = response.get_json()["Customer"]
    assert (customer["Balance"], customer["FullyQualifiedName"]) == (0, "Jane Doe")
    assert not {"GivenName", "CompanyName", "CustomerTypeRef", "PrimaryEmailAddr"} & set(customer)
    assert "SomeFutureField" not in customer


def test_a_customer_is_read_by_id_with_the_entity_in_any_case(qbo: QboCalls) -> None:
    created = qbo.create_customer("Jane Doe")

    response = qbo.get(f"Customer/{created['Id']}", minorversion="75")

    assert response.status_code == 200
    assert response.get_json()["Customer"] == created


def test_an_unknown_id_is_a_610_fault_on_read_and_on_update(qbo: QboCalls) -> None:
    expected = sample("fault_object_not_found.json")["Fault"]["Error"][0]

    read = qbo.get("customer/999")
    update = qbo.post("customer", {"Id": "999", "SyncToken": "0", "DisplayName": "X"})

    assert (read.status_code, update.status_code) == (400, 400)
    assert fault_of(read) == fault_of(update) == expected


def test_a_duplicate_display_name_is_a_6240_fault_whatever_its_case(qbo: QboCalls) -> None:
    expected = sample("fault_duplicate_name.json")["Fault"]["Error"][0]
    qbo.create_customer("Jane Doe")

    response = qbo.post("customer", {"DisplayName": "JANE DOE"})

    assert response.status_code == 400
    assert fault_of(response) == expected


def test_an_inactive_customer_keeps_its_name_so_reusing_it_is_a_6240_fault(
    state: SandboxState, qbo: QboCalls
) -> None:
    qbo.create_customer("Gone Away", Active=False)

    response = qbo.post("customer", {"DisplayName": "Gone Away"})

    assert fault_of(response)["code"] == "6240"
    assert [c["DisplayName"] for c in state.customers(REALM_ID)] == ["Gone Away"]


def test_renaming_a_customer_to_a_taken_name_is_a_6240_fault(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")
    john = qbo.create_customer("John Doe")

    response = qbo.post(
        "customer", {"Id": john["Id"], "SyncToken": "0", "sparse": True, "DisplayName": "Jane Doe"}
    )

    assert fault_of(response)["code"] == "6240"


def test_an_update_may_keep_the_customers_own_name(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")

    response = qbo.post("customer", {"Id": jane["Id"], "SyncToken": "0", "DisplayName": "Jane Doe"})

    assert response.status_code == 200


def test_a_sparse_update_changes_only_the_fields_sent(qbo: QboCalls) -> None:
    jane = qbo.create_customer(
        "Jane Doe", GivenName="Jane", PrimaryEmailAddr={"Address": "jane@example.com"}
    )

    response = qbo.post(
        "customer", {"Id": jane["Id"], "SyncToken": "0", "sparse": True, "FamilyName": "Roe"}
    )

    updated = response.get_json()["Customer"]
    assert updated["SyncToken"] == "1"
    assert (updated["GivenName"], updated["FamilyName"]) == ("Jane", "Roe")
    assert updated["PrimaryEmailAddr"] == {"Address": "jane@example.com"}
    assert updated["MetaData"]["CreateTime"] == jane["MetaData"]["CreateTime"]


def test_a_full_update_clears_the_writable_fields_it_omits(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe", GivenName="Jane", Notes="VIP")

    response = qbo.post("customer", {"Id": jane["Id"], "SyncToken": 0, "DisplayName": "Jane R."})

    updated = response.get_json()["Customer"]
    assert not {"GivenName", "Notes"} & set(updated)
    assert updated["PrintOnCheckName"] == "Jane R."
    assert updated["Id"] == jane["Id"]


def test_operation_update_in_the_query_string_is_accepted(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")
    body = {"Id": jane["Id"], "SyncToken": "0", "sparse": True, "Notes": "hi"}

    response = qbo.post("customer", body, operation="update")

    assert response.get_json()["Customer"]["Notes"] == "hi"


def test_operation_update_without_an_id_is_a_2020_fault(qbo: QboCalls) -> None:
    response = qbo.post("customer", {"DisplayName": "Jane Doe"}, operation="update")

    assert (fault_of(response)["code"], fault_of(response)["element"]) == ("2020", "Id")


def test_a_stale_sync_token_is_a_5010_fault_and_changes_nothing(
    state: SandboxState, qbo: QboCalls
) -> None:
    expected = sample("fault_stale_object.json")["Fault"]["Error"][0]
    jane = qbo.create_customer("Jane Doe")
    first = {"Id": jane["Id"], "SyncToken": "0", "sparse": True, "Notes": "first"}
    qbo.post("customer", first)

    response = qbo.post("customer", {**first, "Notes": "second"})

    assert response.status_code == 400
    assert fault_of(response) == expected
    assert state.customers(REALM_ID)[0]["Notes"] == "first"


def test_deactivating_is_a_sparse_update_of_active(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")

    qbo.post("customer", {"Id": jane["Id"], "SyncToken": "0", "sparse": True, "Active": False})

    assert qbo.rows("select * from Customer") == []
    assert qbo.get(f"customer/{jane['Id']}").get_json()["Customer"]["Active"] is False


def test_deleting_a_customer_is_an_unsupported_operation(
    state: SandboxState, qbo: QboCalls
) -> None:
    jane = qbo.create_customer("Jane Doe")

    response = qbo.post("customer", {"Id": jane["Id"], "SyncToken": "0"}, operation="delete")

    assert response.status_code == 400
    assert (fault_of(response)["code"], fault_of(response)["Message"]) == (
        "500",
        "Unsupported Operation",
    )
    assert len(state.customers(REALM_ID)) == 1


def test_customer_types_cannot_be_written(qbo: QboCalls) -> None:
    response = qbo.post("customertype", {"Name": "Wholesale"})

    assert (response.status_code, fault_of(response)["code"]) == (400, "500")


def test_a_known_customer_type_is_assigned_and_an_unknown_one_is_a_2500_fault(
    state: SandboxState, qbo: QboCalls
) -> None:
    business = state.add_customer_type(REALM_ID, "Business")

    assigned = qbo.create_customer("Cool Cars", CustomerTypeRef={"value": business["Id"]})
    unknown = qbo.post("customer", {"DisplayName": "X", "CustomerTypeRef": {"value": "42"}})

    assert assigned["CustomerTypeRef"] == {"value": business["Id"]}
    assert (unknown.status_code, fault_of(unknown)["code"]) == (400, "2500")


def test_customers_are_handed_out_as_copies(state: SandboxState) -> None:
    state.add_customer(REALM_ID, DisplayName="Jane Doe")

    state.customers(REALM_ID)[0]["DisplayName"] = "Changed"

    assert state.customers(REALM_ID)[0]["DisplayName"] == "Jane Doe"


def test_an_address_gets_an_id_of_its_own_kept_across_updates_and_qbos_no_geocode(
    qbo: QboCalls,
) -> None:
    address = {"Line1": "4581 Finch St.", "City": "Bayshore", "PostalCode": "94326"}
    created = qbo.create_customer("Addressed", BillAddr=address)
    updated = qbo.post(
        "customer",
        {"Id": created["Id"], "SyncToken": created["SyncToken"], "sparse": True,
         "BillAddr": {**address, "City": "Bayview"}},
    ).get_json()["Customer"]  # fmt: skip

    assert created["BillAddr"]["Id"].isdigit()
    assert updated["BillAddr"]["Id"] == created["BillAddr"]["Id"]
    assert updated["BillAddr"]["City"] == "Bayview"
    assert (created["BillAddr"]["Lat"], created["BillAddr"]["Long"]) == ("INVALID", "INVALID")


def test_a_renamed_customer_holds_its_new_name_and_frees_its_old_one(qbo: QboCalls) -> None:
    made = qbo.create_customer("Old Name")

    renamed = qbo.post(
        "customer",
        {"Id": made["Id"], "SyncToken": made["SyncToken"], "sparse": True,
         "DisplayName": "New Name"},
    )  # fmt: skip

    assert renamed.status_code == 200
    taken = qbo.post("customer", {"DisplayName": "new name"})
    assert taken.status_code == 400
    assert fault_of(taken)["code"] == "6240"
    assert qbo.post("customer", {"DisplayName": "Old Name"}).status_code == 200
