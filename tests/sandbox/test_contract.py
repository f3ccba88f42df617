"""The sandbox answers in the shapes of the QBO samples: keys, nesting and value types.

Values differ (Ids, times); where the text itself is QBO's (fault entries), it must match too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, SAMPLES, QboCalls, sample, shape


def test_a_customer_create_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    body = {"GivenName": "Jane", "FamilyName": "Doe", "DisplayName": "Jane Doe"}

    answer = qbo.post("customer", body).get_json()

    assert shape(answer) == shape(sample("customer_create_response.json"))


def test_a_customer_query_answer_has_the_shape_of_qbos(state: SandboxState, qbo: QboCalls) -> None:
    expected = sample("customer_query_response.json")
    row = expected["QueryResponse"]["Customer"][0]
    kind = state.add_customer_type(REALM_ID, "Business")
    # QBO numbers and geocodes an address itself; what a client sends holds neither.
    sent_address = {k: v for k, v in row["BillAddr"].items() if k not in ("Id", "Lat", "Long")}
    writable = ("Taxable", "GivenName", "FamilyName", "CompanyName")
    qbo.create_customer(
        row["DisplayName"],
        **{name: row[name] for name in writable},
        BillAddr=sent_address,
        PrimaryPhone=row["PrimaryPhone"],
        PrimaryEmailAddr=row["PrimaryEmailAddr"],
        CustomerTypeRef={"value": kind["Id"]},
    )

    answer = qbo.query("select * from Customer").get_json()

    assert shape(answer) == shape(expected)


def test_an_empty_query_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    answer = qbo.query("select * from Customer where DisplayName = 'Nobody'").get_json()

    assert shape(answer) == shape(sample("empty_query_response.json"))


def test_a_count_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    answer = qbo.query("select count(*) from Customer").get_json()

    assert shape(answer) == shape(sample("count_query_response.json"))


def test_the_demo_customer_types_answer_as_qbos_sample_does() -> None:
    state = SandboxState()
    seed_demo_company(state)
    qbo = QboCalls(create_app(state).test_client(), DEMO_REALM_ID, DEMO_ACCESS_TOKEN)
    expected = sample("customertype_query_response.json")

    answer = qbo.query("select * from CustomerType").get_json()

    assert shape(answer) == shape(expected)
    assert [(t["Id"], t["Name"]) for t in answer["QueryResponse"]["CustomerType"]] == [
        (t["Id"], t["Name"]) for t in expected["QueryResponse"]["CustomerType"]
    ]


def test_a_duplicate_name_fault_matches_qbos(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")

    answer = qbo.post("customer", {"DisplayName": "Jane Doe"}).get_json()

    expected = sample("fault_duplicate_name.json")
    assert shape(answer) == shape(expected)
    assert answer["Fault"] == expected["Fault"]


def test_a_parser_fault_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    answer = qbo.query("select * form Customer").get_json()

    expected = sample("fault_query_parser.json")
    assert shape(answer) == shape(expected)
    assert answer["Fault"] == expected["Fault"]


def test_a_query_validation_fault_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    answer = qbo.query("select * from Customer where Notes = 'x'").get_json()

    expected = sample("fault_query_validation.json")
    assert shape(answer) == shape(expected)
    assert answer["Fault"] == expected["Fault"]


def test_a_stale_object_fault_matches_qbos(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")

    answer = qbo.post("customer", {"Id": jane["Id"], "SyncToken": "7"}).get_json()

    assert answer["Fault"] == sample("fault_stale_object.json")["Fault"]


def test_the_authentication_fault_has_the_shape_of_the_gateways(client: FlaskClient) -> None:
    answer = client.get(f"/v3/company/{REALM_ID}/customer/1").get_json()

    expected = sample("fault_authentication.json")
    assert shape(answer) == shape(expected)
    assert answer["fault"]["error"][0]["message"] == expected["fault"]["error"][0]["message"]


def test_the_xml_authentication_fault_matches_qbos(state: SandboxState) -> None:
    state.options = SandboxOptions(auth_fault="xml")
    client = create_app(state).test_client()

    answer = ET.fromstring(client.get(f"/v3/company/{REALM_ID}/customer/1").get_data())

    expected = ET.parse(SAMPLES / "fault_authentication.xml").getroot()
    assert skeleton(answer) == skeleton(expected)


def skeleton(element: ET.Element) -> Any:
    """Tags, attributes other than time, and texts of an XML tree."""
    attributes = {k: v for k, v in element.attrib.items() if k != "time"}
    text = (element.text or "").strip()
    return (element.tag, attributes, text, [skeleton(child) for child in element])


def a_billed_customer(qbo: QboCalls) -> tuple[dict[str, Any], dict[str, Any]]:
    """Jane Doe and an item, as the transaction samples have them."""
    jane = qbo.create_customer("Jane Doe")
    item = qbo.create(
        "Item",
        {"Name": "Tax preparation", "Type": "Service", "IncomeAccountRef": {"value": "1"}},
    )
    return jane, item


def sample_invoice_body(jane: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    line = {
        "Description": "2025 individual return",
        "Amount": 450,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "UnitPrice": 450, "Qty": 1},
    }
    return {
        "CustomerRef": {"value": jane["Id"]},
        "Line": [line],
        "DocNumber": "1037",
        "TxnDate": "2026-11-01",
    }


def test_an_invoice_create_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)

    answer = qbo.post("invoice", sample_invoice_body(jane, item)).get_json()

    expected = sample("invoice_create_response.json")
    assert shape(answer) == shape(expected)
    assert (answer["Invoice"]["DueDate"], answer["Invoice"]["Balance"]) == ("2026-12-01", 450.0)


def test_an_invoice_read_answers_the_same_shape(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    created = qbo.create("Invoice", sample_invoice_body(jane, item))

    answer = qbo.get(f"invoice/{created['Id']}").get_json()

    assert shape(answer) == shape(sample("invoice_create_response.json"))


def test_an_invoice_delete_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    created = qbo.create("Invoice", sample_invoice_body(jane, item))

    body = {"Id": created["Id"], "SyncToken": created["SyncToken"]}
    answer = qbo.post("invoice", body, operation="delete").get_json()

    expected = sample("invoice_delete_response.json")
    assert shape(answer) == shape(expected)
    assert answer["Invoice"] == {**expected["Invoice"], "Id": created["Id"]}


def test_a_payment_create_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    invoice = qbo.create("Invoice", sample_invoice_body(jane, item))
    link = [{"Amount": 450, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]
    body = {"CustomerRef": {"value": jane["Id"]}, "TotalAmt": 450, "TxnDate": "2026-11-05"}

    answer = qbo.post("payment", {**body, "Line": link}).get_json()

    assert shape(answer) == shape(sample("payment_create_response.json"))
    assert shape(qbo.get(f"payment/{answer['Payment']['Id']}").get_json()) == shape(answer)


def test_a_payment_void_answer_has_the_shape_of_qbos(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    invoice = qbo.create("Invoice", sample_invoice_body(jane, item))
    link = [{"Amount": 450, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]
    body = {"CustomerRef": {"value": jane["Id"]}, "TotalAmt": 450, "Line": link}
    payment = qbo.create("Payment", body)

    void = {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True}
    answer = qbo.post("payment", void, operation="update", include="void").get_json()

    expected = sample("payment_void_response.json")
    assert shape(answer) == shape(expected)
    voided, sampled = answer["Payment"], expected["Payment"]
    for field in ("TotalAmt", "UnappliedAmt", "PrivateNote", "SyncToken", "Line"):
        assert voided[field] == sampled[field]


def test_a_duplicate_doc_number_fault_matches_qbos(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    body = {**sample_invoice_body(jane, item), "DocNumber": "1042"}
    first = qbo.create("Invoice", body)

    answer = qbo.post("invoice", body).get_json()

    expected = sample("fault_duplicate_docnumber.json")
    assert shape(answer) == shape(expected)
    [error], [wanted] = answer["Fault"]["Error"], expected["Fault"]["Error"]
    assert error == {
        **wanted,
        "Detail": wanted["Detail"].replace("TxnId=120", f"TxnId={first['Id']}"),
    }


def test_a_deleted_transaction_stub_has_the_shape_of_qbos_cdc_stub(
    state: SandboxState, qbo: QboCalls
) -> None:
    jane, item = a_billed_customer(qbo)
    created = qbo.create("Invoice", sample_invoice_body(jane, item))
    qbo.post("invoice", {"Id": created["Id"], "SyncToken": "0"}, operation="delete")

    stub = state.latest(REALM_ID, "Invoice", created["Id"])

    expected = sample("cdc_response.json")["CDCResponse"][0]["QueryResponse"][1]["Invoice"][0]
    assert shape(stub) == shape(expected)


def test_an_invoice_void_answer_is_an_invoice_with_a_note(qbo: QboCalls) -> None:
    jane, item = a_billed_customer(qbo)
    created = qbo.create("Invoice", sample_invoice_body(jane, item))

    body = {"Id": created["Id"], "SyncToken": created["SyncToken"]}
    answer = qbo.post("invoice", body, operation="void").get_json()

    assert answer["Invoice"].pop("PrivateNote") == "Voided"
    assert shape(answer) == shape(sample("invoice_create_response.json"))


def test_a_payment_delete_answer_has_the_shape_of_an_invoice_delete(qbo: QboCalls) -> None:
    jane = qbo.create_customer("Jane Doe")
    payment = qbo.create("Payment", {"CustomerRef": {"value": jane["Id"]}, "TotalAmt": 10})

    body = {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}
    answer = qbo.post("payment", body, operation="delete").get_json()

    expected = sample("invoice_delete_response.json")
    assert answer["Payment"] == {**expected["Invoice"], "Id": payment["Id"]}
    assert shape(answer["time"]) == shape(expected["time"])
