"""Change data capture: what changed since a time, as QBO answers it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.books import a_payment, an_invoice, an_item, versioned
from tests.sandbox.qbo_calls import REALM_ID, TOKEN, QboCalls, fault_of, missing_from, sample

T0 = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def state() -> SandboxState:
    state = SandboxState(SandboxOptions(throttling=False), now=lambda: T0)
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    return state


@pytest.fixture
def client(state: SandboxState) -> FlaskClient:
    return create_app(state).test_client()


def cdc(qbo: QboCalls, entities: str, since: str) -> dict:
    response = qbo.get("cdc", entities=entities, changedSince=since)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def groups(answer: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for group in answer["CDCResponse"][0]["QueryResponse"]:
        found.update({k: v for k, v in group.items() if isinstance(v, list)})
    return found


def test_nothing_changed_answers_qbos_empty_shape(state: SandboxState, qbo: QboCalls) -> None:
    state.clock.advance(3600)
    answer = cdc(qbo, "Customer", "2026-11-20T17:30:00Z")
    assert answer["CDCResponse"] == [{"QueryResponse": [{}]}]
    assert missing_from(answer, sample("cdc_empty_response.json")) == []


def test_changes_come_grouped_by_entity_with_deleted_stubs_after_active_objects(
    state: SandboxState, qbo: QboCalls
) -> None:
    customer = qbo.create_customer("Changed Client")
    gone = qbo.create_customer("Merged Away")
    item = an_item(qbo)
    invoice = an_invoice(qbo, customer["Id"], item["Id"])
    state.clock.advance(60)
    qbo.post("invoice", versioned(invoice), operation="delete")
    state.merge_customers(REALM_ID, gone["Id"], customer["Id"])

    answer = cdc(qbo, "Customer,Invoice", "2026-11-20T08:00:00-08:00")

    found = groups(answer)
    assert [c["Id"] for c in found["Customer"]] == [customer["Id"], gone["Id"]]
    assert found["Customer"][1]["status"] == "Deleted"
    assert found["Invoice"] == [
        {"Id": invoice["Id"], "status": "Deleted", "domain": "QBO",
         "MetaData": found["Invoice"][0]["MetaData"]}
    ]  # fmt: skip
    assert missing_from(answer, sample("cdc_response.json")) == []


def test_only_changes_at_or_after_changed_since_are_answered(
    state: SandboxState, qbo: QboCalls
) -> None:
    old = qbo.create_customer("Before")
    state.clock.advance(600)
    new = qbo.create_customer("After")
    since = (T0 + timedelta(seconds=300)).isoformat()

    found = groups(cdc(qbo, "customer", since))

    assert [c["Id"] for c in found["Customer"]] == [new["Id"]]
    assert old["Id"] != new["Id"]


def test_payments_and_the_invoices_they_pay_are_reported(
    state: SandboxState, qbo: QboCalls
) -> None:
    customer = qbo.create_customer("Payer")
    invoice = an_invoice(qbo, customer["Id"], an_item(qbo)["Id"])
    state.clock.advance(60)
    a_payment(qbo, customer["Id"], 100, (invoice["Id"], 100))

    found = groups(cdc(qbo, "Invoice,Payment", (T0 + timedelta(seconds=30)).isoformat()))

    assert [i["Balance"] for i in found["Invoice"]] == [350]
    assert len(found["Payment"]) == 1


@pytest.mark.parametrize(
    "since", ["2026-11-20", "2026-11-20T09:00:00", "2026-11-20T09:00:00 08:00", "2026-11-20T17:00Z"]
)
def test_changed_since_is_read_in_every_form_clients_send(qbo: QboCalls, since: str) -> None:
    assert "CDCResponse" in cdc(qbo, "Customer", since)


def test_more_than_thirty_days_back_is_refused(qbo: QboCalls) -> None:
    response = qbo.get("cdc", entities="Customer", changedSince="2026-10-01T00:00:00Z")
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "6000"
    assert "older than fixed days is not supported" in error["Detail"]


def test_missing_parameters_and_unknown_entities_are_refused(qbo: QboCalls) -> None:
    assert fault_of(qbo.get("cdc", changedSince="2026-11-20"))["code"] == "2020"
    assert fault_of(qbo.get("cdc", entities="Customer"))["code"] == "2020"
    assert fault_of(qbo.get("cdc", entities="TaxRate", changedSince="2026-11-20"))["code"] == "6000"


def test_at_most_a_thousand_objects_are_answered(state: SandboxState, qbo: QboCalls) -> None:
    for n in range(1005):
        state.add_customer(REALM_ID, DisplayName=f"Bulk {n}")

    found = groups(cdc(qbo, "Customer", "2026-11-20T00:00:00Z"))

    assert len(found["Customer"]) == 1000
    assert found["Customer"][0]["DisplayName"] == "Bulk 0"
