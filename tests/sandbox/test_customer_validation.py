"""The rules QBO checks on a customer before storing it, and their faults."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.faults import QboFault
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


@pytest.mark.parametrize(
    ("field", "maximum"),
    [("DisplayName", 500), ("GivenName", 100), ("CompanyName", 100), ("MiddleName", 100)],
)
def test_a_string_over_its_maximum_length_is_a_2050_fault(
    qbo: QboCalls, field: str, maximum: int
) -> None:
    response = qbo.post("customer", {"DisplayName": "Jane Doe", field: "x" * (maximum + 1)})

    assert response.status_code == 400
    error = fault_of(response)
    assert (error["code"], error["element"]) == ("2050", field)
    assert error["Message"] == (
        "String length specified does not match the supported length. "
        f"Min:0 Max:{maximum} supported. Supplied length:{maximum + 1}"
    )


def test_a_string_at_its_maximum_length_is_accepted(qbo: QboCalls) -> None:
    assert qbo.post("customer", {"DisplayName": "x" * 500}).status_code == 200


@pytest.mark.parametrize("field", ["DisplayName", "GivenName", "FamilyName", "PrintOnCheckName"])
@pytest.mark.parametrize("separator", [":", "\t", "\n"])
def test_a_colon_tab_or_newline_in_a_name_is_a_6000_fault_naming_the_field(
    qbo: QboCalls, field: str, separator: str
) -> None:
    response = qbo.post("customer", {"DisplayName": "Jane Doe", field: f"Jane{separator}Doe"})

    error = fault_of(response)
    assert (response.status_code, error["code"], error["element"]) == (400, "6000", field)
    assert field in error["Detail"]


@pytest.mark.parametrize("address", ["jane.example.com", "jane@example", "jane"])
def test_an_email_address_without_at_and_dot_is_a_2210_fault(qbo: QboCalls, address: str) -> None:
    response = qbo.post(
        "customer", {"DisplayName": "Jane", "PrimaryEmailAddr": {"Address": address}}
    )

    assert fault_of(response)["code"] == "2210"


@pytest.mark.parametrize("body", [[{"DisplayName": "Jane"}], {"DisplayName": 7}, {"Active": "no"}])
def test_a_body_of_the_wrong_shape_is_a_2010_fault(qbo: QboCalls, body: Any) -> None:
    response = qbo.post("customer", body)

    assert (response.status_code, fault_of(response)["code"]) == (400, "2010")


def test_a_body_that_is_not_json_is_a_2010_fault(qbo: QboCalls) -> None:
    response = qbo.client.post(
        f"{qbo.base}/customer",
        data=b"{not json",
        headers={**qbo.headers, "Content-Type": "application/json"},
    )

    assert fault_of(response)["code"] == "2010"


def test_the_seed_helper_applies_the_same_rules_as_a_create(state: SandboxState) -> None:
    state.add_customer(REALM_ID, DisplayName="Jane Doe")

    with pytest.raises(QboFault) as raised:
        state.add_customer(REALM_ID, DisplayName="jane doe")

    assert raised.value.errors[0].code == "6240"
