"""The batch endpoint: per-item results and faults, its size limit, and requestid replay."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sandbox.state import SandboxState
from tests.sandbox.books import a_payment, a_sales_line, an_invoice, an_invoice_body, an_item
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, missing_from, sample, shape


def batch(qbo: QboCalls, items: list[dict[str, Any]], **params: str) -> TestResponse:
    return qbo.post("batch", {"BatchItemRequest": items}, **params)


def test_a_batch_answers_each_item_with_its_entity_fault_or_query(
    qbo: QboCalls, state: SandboxState
) -> None:
    state.add_customer(REALM_ID, DisplayName="Taken Name")
    state.add_customer(REALM_ID, DisplayName="Amy's Bird")
    items = [
        {"bId": "bid1", "operation": "create", "Customer": {"DisplayName": "Acme Tax Client"}},
        {"bId": "bid2", "operation": "create", "Customer": {"DisplayName": "Taken Name"}},
        {
            "bId": "bid3",
            "Query": "select * from Customer where DisplayName = 'Amy\\'s Bird'",
        },
    ]

    response = batch(qbo, items)

    assert response.status_code == 200
    answer = response.get_json()
    assert missing_from(answer, sample("batch_response.json")) == []
    created, refused, queried = answer["BatchItemResponse"]
    assert created["Customer"]["DisplayName"] == "Acme Tax Client"
    assert refused["Fault"]["Error"][0]["code"] == "6240"
    assert queried["QueryResponse"]["Customer"][0]["DisplayName"] == "Amy's Bird"
    assert [a["bId"] for a in answer["BatchItemResponse"]] == ["bid1", "bid2", "bid3"]


def test_thirty_items_pass_and_thirty_one_fail_whole_with_1040(
    qbo: QboCalls, state: SandboxState
) -> None:
    def items(n: int, prefix: str) -> list[dict[str, Any]]:
        return [
            {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"{prefix} {i}"}}
            for i in range(n)
        ]

    assert batch(qbo, items(30, "Fits")).status_code == 200
    too_many = batch(qbo, items(31, "Overflow"))

    assert too_many.status_code == 400
    body = too_many.get_json()
    assert shape(body) == shape(sample("fault_batch_too_large.json"))
    assert body["Fault"]["Error"][0]["code"] == "1040"
    assert not any(c["DisplayName"].startswith("Overflow") for c in state.customers(REALM_ID))


def test_a_repeated_batch_requestid_replays_each_item_and_writes_once(
    qbo: QboCalls, state: SandboxState
) -> None:
    items = [{"bId": "b1", "operation": "create", "Customer": {"DisplayName": "Once"}}]

    first = batch(qbo, items, requestid="batch-req-1").get_json()
    again = batch(qbo, items, requestid="batch-req-1").get_json()

    assert (
        first["BatchItemResponse"][0]["Customer"]["Id"]
        == again["BatchItemResponse"][0]["Customer"]["Id"]
    )
    assert [c["DisplayName"] for c in state.customers(REALM_ID)].count("Once") == 1


def test_an_item_whose_joined_request_id_passes_50_characters_fails_alone(
    qbo: QboCalls, state: SandboxState
) -> None:
    requestid = "r" * 32
    items = [
        {"bId": "short", "operation": "create", "Customer": {"DisplayName": "Fits"}},
        {"bId": "x" * 36, "operation": "create", "Customer": {"DisplayName": "Too Long"}},
    ]

    fits, too_long = batch(qbo, items, requestid=requestid).get_json()["BatchItemResponse"]

    assert fits["Customer"]["DisplayName"] == "Fits"
    assert too_long["Fault"]["Error"][0]["code"] == "6000"
    assert "50 characters" in too_long["Fault"]["Error"][0]["Detail"]


def test_a_batch_needs_the_bearer_token(client: FlaskClient) -> None:
    response = client.post(f"/v3/company/{REALM_ID}/batch", json={"BatchItemRequest": []})
    assert response.status_code == 401


def test_an_item_naming_no_entity_gets_its_own_fault(qbo: QboCalls) -> None:
    [answer] = batch(qbo, [{"bId": "1", "operation": "create"}]).get_json()["BatchItemResponse"]
    assert answer["Fault"]["Error"][0]["code"] == "2020"


def test_each_batch_item_is_metered_and_a_read_past_the_quota_fails_alone(
    state: SandboxState, qbo: QboCalls
) -> None:
    state.options = dataclasses.replace(state.options, coreplus_quota=1)
    items = [
        {"bId": "q1", "Query": "select * from Customer"},
        {"bId": "q2", "Query": "select * from Customer"},
        {"bId": "w1", "operation": "create", "Customer": {"DisplayName": "Still Written"}},
    ]

    first, second, write = batch(qbo, items).get_json()["BatchItemResponse"]

    assert "QueryResponse" in first
    assert second["Fault"]["Error"][0]["code"] == "3001"
    assert write["Customer"]["DisplayName"] == "Still Written"  # writes are never metered
    counters = state.throttle.counters.all()[REALM_ID]
    assert counters["writes"] >= 1


def test_batch_options_void_a_payment_and_allow_a_duplicate_doc_number(
    state: SandboxState, qbo: QboCalls
) -> None:
    customer = qbo.create_customer("Batch Payer")
    item = an_item(qbo)
    invoice = an_invoice(qbo, customer["Id"], item["Id"], DocNumber="1001")
    payment = a_payment(qbo, customer["Id"], 100, (invoice["Id"], 100))
    duplicate = an_invoice_body(customer["Id"], a_sales_line(item["Id"], 50), DocNumber="1001")
    items = [
        {"bId": "v", "operation": "update", "optionsData": "void",
         "Payment": {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True}},
        {"bId": "d", "operation": "create", "optionsData": "allowduplicatedocnum",
         "Invoice": duplicate},
        {"bId": "x", "operation": "create", "Invoice": duplicate},
    ]  # fmt: skip

    voided, allowed, refused = batch(qbo, items).get_json()["BatchItemResponse"]

    assert voided["Payment"]["TotalAmt"] == 0
    assert allowed["Invoice"]["DocNumber"] == "1001"
    assert refused["Fault"]["Error"][0]["code"] == "6140"
    assert qbo.read("Invoice", invoice["Id"])["Balance"] == 450  # the void gave it back
