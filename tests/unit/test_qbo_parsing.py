"""Every payload sample QBO sends is read by a parser into typed values (issue 13)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.adapters.gate import MemoryRealmGate, RealmLimits
from core.adapters.qbo.client import QboClient
from core.adapters.qbo.oauth_parsing import parse_oauth_error, parse_token_answer
from core.adapters.qbo.parsing import (
    answer_error,
    parse_batch_response,
    parse_cdc_response,
    parse_customer,
    parse_entity_answer,
    parse_invoice,
    parse_payment,
    parse_query_response,
)
from core.adapters.qbo.webhook_parsing import parse_webhook
from core.domain.qbo import (
    QboCustomer,
    QboCustomerType,
    QboDeleted,
    QboEntityChanges,
    QboInvoice,
    QboPayment,
    QboQueryResponse,
    QboWebhookEvent,
)
from core.errors import (
    QboAuthenticationError,
    QboError,
    QboFaultError,
    QboOAuthError,
    QboPacedError,
    QboPayloadError,
    QboTransientError,
)

SAMPLES = Path(__file__).parents[1] / "fixtures" / "qbo_samples"
PACIFIC = timezone(timedelta(hours=-8))
REALM = "9341452783469105"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def answer(name: str, status: int) -> httpx.Response:
    kind = "application/xml" if name.endswith(".xml") else "application/json"
    return httpx.Response(
        status,
        text=(SAMPLES / name).read_text(),
        headers={"content-type": f"{kind};charset=UTF-8", "intuit_tid": "tid-1"},
    )


# One check per sample: it feeds the sample to its parser and asserts values the sample holds.


def a_created_customer(name: str) -> None:
    assert parse_entity_answer(sample(name)) == QboCustomer("67", "Jane Doe", True, "0")


def a_customer_query(name: str) -> None:
    page = parse_query_response(sample(name))
    [amy] = page.of(QboCustomer)
    assert amy == QboCustomer(
        "1",
        "Amy's Bird Sanctuary",
        True,
        "3",
        customer_type_id="5000000000000018823",
        email="Birds@Intuit.com",
    )
    assert (page.start_position, page.max_results, page.total_count) == (1, 1, None)


def a_customer_type_query(name: str) -> None:
    page = parse_query_response(sample(name))
    assert page.of(QboCustomerType) == [
        QboCustomerType("5000000000000018823", "Individual", True, "0"),
        QboCustomerType("5000000000000018824", "Business", True, "0"),
    ]
    assert page.max_results == 2


def a_count_query(name: str) -> None:
    assert parse_query_response(sample(name)) == QboQueryResponse(total_count=29)


def an_empty_query(name: str) -> None:
    page = parse_query_response(sample(name))
    assert page == QboQueryResponse()
    assert page.of(QboCustomer) == []


def a_created_invoice(name: str) -> None:
    invoice = parse_entity_answer(sample(name))
    assert invoice == QboInvoice(
        id="130",
        sync_token="0",
        customer_id="67",
        total_amt=Decimal("450.00"),
        balance=Decimal("450"),
        doc_number="1037",
        txn_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
    )
    assert isinstance(invoice, QboInvoice) and isinstance(invoice.total_amt, Decimal)


def a_deleted_invoice(name: str) -> None:
    assert parse_entity_answer(sample(name)) == QboDeleted("Invoice", "120")


def a_created_payment(name: str) -> None:
    payment = parse_entity_answer(sample(name))
    assert isinstance(payment, QboPayment)
    assert (payment.id, payment.sync_token, payment.customer_id) == ("131", "0", "67")
    assert payment.total_amt == Decimal("450") and payment.unapplied_amt == Decimal("0")
    assert payment.linked_invoice_ids == ("130",)
    assert payment.txn_date == date(2026, 11, 5)


def a_voided_payment(name: str) -> None:
    payment = parse_entity_answer(sample(name))
    assert isinstance(payment, QboPayment)
    assert (payment.id, payment.sync_token, payment.private_note) == ("131", "1", "Voided")
    assert payment.total_amt == Decimal("0")
    assert payment.linked_invoice_ids == ()


def a_batch(name: str) -> None:
    results = parse_batch_response(sample(name), intuit_tid="tid-batch")
    assert results["bid1"] == QboCustomer("68", "Acme Tax Client", True, "0")
    fault = results["bid2"]
    assert type(fault) is QboFaultError
    assert (fault.code, fault.message, fault.intuit_tid) == (
        "6240",
        "Duplicate Name Exists Error",
        "tid-batch",
    )
    assert not fault.retryable
    query = results["bid3"]
    assert isinstance(query, QboQueryResponse)
    assert [c.id for c in query.of(QboCustomer)] == ["1"]


def a_cdc(name: str) -> None:
    changes = parse_cdc_response(sample(name))
    assert changes == {
        "Customer": QboEntityChanges(
            changed=(QboCustomer("58", "Old Client LLC", False, "2"),),
            deleted=(
                QboDeleted("Customer", "61", datetime(2026, 11, 19, 16, 1, 55, tzinfo=PACIFIC)),
            ),
        ),
        "Invoice": QboEntityChanges(
            deleted=(QboDeleted("Invoice", "120", datetime(2026, 11, 19, 16, 5, tzinfo=PACIFIC)),),
        ),
    }


def an_empty_cdc(name: str) -> None:
    assert parse_cdc_response(sample(name)) == {}


def a_token_answer(name: str) -> None:
    tokens = parse_token_answer(sample(name))
    assert tokens.access_token.endswith("..example-only")
    assert tokens.refresh_token == "AB11799999999ExampleOnlyRefreshToken"
    assert (tokens.expires_in, tokens.refresh_expires_in) == (3600, 8726400)
    assert tokens.hard_expires_in is None
    assert tokens.id_token is None


def a_token_answer_with_hard_expiry(name: str) -> None:
    tokens = parse_token_answer(sample(name))
    assert (tokens.expires_in, tokens.refresh_expires_in) == (3600, 8726400)
    assert tokens.hard_expires_in == 62208000  # 720 days left of the five years


def an_invalid_grant(name: str) -> None:
    error = parse_oauth_error(sample(name), http_status=400, intuit_tid="tid-oauth")
    assert isinstance(error, QboFaultError) and not error.retryable
    assert (error.code, error.detail, error.http_status) == ("invalid_grant", "Token invalid", 400)
    assert "reconnect" in error.message
    with pytest.raises(QboOAuthError) as raised:
        parse_token_answer(sample(name))  # the same body where tokens were expected
    assert raised.value.code == "invalid_grant"


def an_invalid_client(name: str) -> None:
    error = parse_oauth_error(sample(name), http_status=401)
    assert (error.code, error.detail, error.http_status) == ("invalid_client", None, 401)


def a_cloudevents_webhook(name: str) -> None:
    assert parse_webhook(sample(name)) == [
        QboWebhookEvent(
            REALM,
            "Customer",
            "58",
            "Update",
            datetime(2026, 11, 19, 23, 42, 10, 179851, tzinfo=UTC),
            event_id="6f1f4bbd-3c4e-4a51-9d36-3c1e2b8d0a11",
        ),
        QboWebhookEvent(
            REALM,
            "Customer",
            "62",
            "Merge",
            datetime(2026, 11, 19, 23, 50, tzinfo=UTC),
            deleted_id="61",
            event_id="0b7c2a9e-8f44-4a0e-b3a5-1f5d7e9c2b42",
        ),
        QboWebhookEvent(
            REALM,
            "Invoice",
            "120",
            "Delete",
            datetime(2026, 11, 20, 0, 5, tzinfo=UTC),
            event_id="a3d9e0f2-51b7-4c8e-9e0a-7d2c4f6b8e13",
        ),
    ]


def a_legacy_webhook(name: str) -> None:
    events = parse_webhook(sample(name))
    assert [(e.realm_id, e.entity, e.entity_id, e.operation, e.deleted_id) for e in events] == [
        (REALM, "Customer", "58", "Update", None),
        (REALM, "Customer", "62", "Merge", "61"),
        (REALM, "Invoice", "120", "Delete", None),
    ]
    assert events[0].time == datetime(2026, 11, 19, 23, 42, 10, tzinfo=UTC)


def a_fault(status: int, kind: type[QboError], code: str) -> Callable[[str], None]:
    def check(name: str) -> None:
        error = answer_error(answer(name, status))
        assert type(error) is kind
        assert (error.code, error.http_status, error.intuit_tid) == (code, status, "tid-1")
        assert error.retryable is issubclass(kind, QboTransientError)

    return check


CHECKS: dict[str, Callable[[str], None]] = {
    "batch_response.json": a_batch,
    "cdc_empty_response.json": an_empty_cdc,
    "cdc_response.json": a_cdc,
    "count_query_response.json": a_count_query,
    "customer_create_response.json": a_created_customer,
    "customer_query_response.json": a_customer_query,
    "customertype_query_response.json": a_customer_type_query,
    "empty_query_response.json": an_empty_query,
    "fault_authentication.json": a_fault(401, QboAuthenticationError, "3200"),
    "fault_authentication.xml": a_fault(401, QboAuthenticationError, "100"),
    "fault_batch_too_large.json": a_fault(400, QboFaultError, "1040"),
    "fault_duplicate_docnumber.json": a_fault(400, QboFaultError, "6140"),
    "fault_duplicate_name.json": a_fault(400, QboFaultError, "6240"),
    "fault_object_not_found.json": a_fault(400, QboFaultError, "610"),
    "fault_query_parser.json": a_fault(400, QboFaultError, "4000"),
    "fault_query_validation.json": a_fault(400, QboFaultError, "4001"),
    "fault_stale_object.json": a_fault(400, QboFaultError, "5010"),
    "fault_system.json": a_fault(500, QboTransientError, "10000"),
    "fault_throttled.json": a_fault(429, QboPacedError, "3001"),
    "fault_throttled.xml": a_fault(429, QboPacedError, "3001"),
    "invoice_create_response.json": a_created_invoice,
    "invoice_delete_response.json": a_deleted_invoice,
    "oauth_invalid_client.json": an_invalid_client,
    "oauth_invalid_grant.json": an_invalid_grant,
    "payment_create_response.json": a_created_payment,
    "payment_void_response.json": a_voided_payment,
    "token_response.json": a_token_answer,
    "token_response_hard_expiry.json": a_token_answer_with_hard_expiry,
    "webhook_cloudevents.json": a_cloudevents_webhook,
    "webhook_notification.json": a_legacy_webhook,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_sample_parses_into_the_values_it_holds(name: str) -> None:
    CHECKS[name](name)


def test_every_sample_in_the_folder_has_a_parser_in_the_table() -> None:
    on_disk = {path.name for path in SAMPLES.iterdir() if path.suffix in (".json", ".xml")}
    assert len(on_disk) >= 30
    assert on_disk == set(CHECKS)


def test_a_system_fault_is_transient_whatever_status_carries_it() -> None:
    error = answer_error(answer("fault_system.json", 400))
    assert isinstance(error, QboTransientError)
    assert (error.code, error.http_status) == ("10000", 400)
    with pytest.raises(QboTransientError):
        parse_query_response(sample("fault_system.json"))  # a 200 may carry a Fault


def test_a_fault_in_a_200_raises_its_classified_error_instead_of_a_payload_error() -> None:
    with pytest.raises(QboFaultError) as raised:
        parse_entity_answer(sample("fault_stale_object.json"))
    assert raised.value.code == "5010"
    with pytest.raises(QboFaultError) as too_large:
        parse_batch_response(sample("fault_batch_too_large.json"))
    assert too_large.value.code == "1040"


def test_unknown_fields_and_unknown_entities_are_ignored() -> None:
    row = {
        "Id": "9",
        "SyncToken": "4",
        "DisplayName": "Nine",
        "Active": True,
        "BrandNewField": {"nested": [1, 2]},
        "Notes": None,
    }
    assert parse_customer(row) == QboCustomer("9", "Nine", True, "4")
    page = parse_query_response({"QueryResponse": {"Item": [{"Name": "x"}], "maxResults": 1}})
    assert page == QboQueryResponse(max_results=1)


def test_an_invoice_lists_the_payments_applied_to_it() -> None:
    row = {
        **sample("invoice_create_response.json")["Invoice"],
        "LinkedTxn": [
            {"TxnId": "131", "TxnType": "Payment"},
            {"TxnId": "7", "TxnType": "Estimate"},
            {"TxnId": "140", "TxnType": "Payment"},
        ],
    }
    assert parse_invoice(row).linked_payment_ids == ("131", "140")
    created = parse_entity_answer(sample("invoice_create_response.json"))
    assert isinstance(created, QboInvoice) and created.linked_payment_ids == ()


def test_a_customer_without_an_email_address_has_none() -> None:
    row = {"Id": "9", "SyncToken": "0", "DisplayName": "Nine"}
    assert parse_customer(row).email is None
    assert parse_customer({**row, "PrimaryEmailAddr": {}}).email is None
    assert parse_customer({**row, "PrimaryEmailAddr": {"Address": "n@x.io"}}).email == "n@x.io"
    with pytest.raises(QboPayloadError):
        parse_customer({**row, "PrimaryEmailAddr": "n@x.io"})


def test_optional_fields_may_be_absent() -> None:
    assert parse_customer({"Id": "9", "SyncToken": "0", "DisplayName": "Nine"}).active
    invoice = parse_invoice(
        {"Id": "5", "SyncToken": "0", "CustomerRef": {"value": "9"}, "TotalAmt": 10, "Balance": 0}
    )
    assert invoice == QboInvoice("5", "0", "9", Decimal("10"), Decimal("0"))
    payment = parse_payment(
        {"Id": "6", "SyncToken": "0", "CustomerRef": {"value": "9"}, "TotalAmt": "12.50"}
    )
    assert payment == QboPayment("6", "0", "9", Decimal("12.50"))
    answer = {**sample("token_response.json"), "id_token": None, "token_type": None}
    assert parse_token_answer(answer).token_type == "bearer"


def test_amounts_are_exact_decimals_not_binary_floats() -> None:
    invoice = parse_invoice(
        {"Id": "5", "SyncToken": "0", "CustomerRef": {"value": "9"}, "TotalAmt": 0.1, "Balance": 0}
    )
    assert invoice.total_amt == Decimal("0.1")
    assert invoice.total_amt * 3 == Decimal("0.3")


CUSTOMER = {"Id": "9", "SyncToken": "0", "DisplayName": "Nine"}
INVOICE = {"Id": "5", "SyncToken": "0", "CustomerRef": {"value": "9"}, "TotalAmt": 1, "Balance": 1}


@pytest.mark.parametrize(
    ("parse", "body", "missing"),
    [
        (parse_customer, {"SyncToken": "0", "DisplayName": "Nine"}, "Id"),
        (parse_customer, "not an object", "not a JSON object"),
        (parse_entity_answer, {"Customer": {**CUSTOMER, "SyncToken": None}}, "SyncToken"),
        (parse_invoice, {**INVOICE, "TotalAmt": None}, "TotalAmt"),
        (parse_invoice, {**INVOICE, "TotalAmt": "lots"}, "TotalAmt"),
        (parse_invoice, {**INVOICE, "CustomerRef": {"name": "Nine"}}, "value"),
        (parse_invoice, {**INVOICE, "TxnDate": "the first"}, "TxnDate"),
        (parse_entity_answer, {"time": "2026-11-20T09:15:02-08:00"}, "Customer"),
        (parse_query_response, {"time": "2026-11-20T09:15:02-08:00"}, "QueryResponse"),
        (parse_batch_response, {"BatchItemResponse": [{"Customer": CUSTOMER}]}, "bId"),
        (parse_cdc_response, {"time": "2026-11-20T09:15:02-08:00"}, "CDCResponse"),
        (parse_token_answer, {"access_token": "a", "expires_in": 3600}, "refresh_token"),
        (parse_oauth_error, {"error_description": "Token invalid"}, "error"),
        (parse_webhook, [{"type": "qbo.item.void.v1", "intuitentityid": "1"}], "intuitaccountid"),
        (parse_webhook, {"eventNotifications": [{"dataChangeEvent": {}}]}, "realmId"),
        (parse_webhook, {"something": "else"}, "neither"),
    ],
)
def test_a_payload_missing_a_needed_field_raises_one_clear_error(
    parse: Callable[[Any], object], body: Any, missing: str
) -> None:
    with pytest.raises(QboPayloadError) as raised:
        parse(body)
    assert missing in str(raised.value)
    assert not raised.value.retryable


def test_a_token_answer_shows_no_token_in_its_repr() -> None:
    body = {**sample("token_response_hard_expiry.json"), "id_token": "eyJhbGciOiJSUzI1NiJ9.id"}
    tokens = parse_token_answer(body)
    shown = repr(tokens) + str(tokens)
    assert tokens.id_token == "eyJhbGciOiJSUzI1NiJ9.id"
    for secret in (body["access_token"], body["refresh_token"], body["id_token"], "eyJ", "AB11"):
        assert secret not in shown
    assert "62208000" in shown  # the lifetimes are still there to read


def test_cloudevents_read_deletedid_in_either_case_and_void_as_void() -> None:
    event = {
        "specversion": "1.0",
        "type": "qbo.creditmemo.merged.v1",
        "intuitentityid": "7",
        "intuitaccountid": "1",
        "data": {"deletedid": "3"},
    }
    voided = {**event, "type": "qbo.invoice.void.v1", "data": None}
    [merged, void] = parse_webhook([event, voided])
    assert (merged.entity, merged.operation, merged.deleted_id) == ("CreditMemo", "Merge", "3")
    assert (void.entity, void.operation, void.deleted_id) == ("Invoice", "Void", None)
    assert void.time is None


def test_a_legacy_event_accepts_a_lower_case_deletedid_and_refuses_an_unknown_operation() -> None:
    entity = {"name": "Customer", "id": "62", "operation": "Merge", "deletedid": "61"}
    body = {"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": [entity]}}]}
    assert parse_webhook(body)[0].deleted_id == "61"
    entity["operation"] = "Archive"
    with pytest.raises(QboPayloadError, match="Archive"):
        parse_webhook(body)


def test_the_client_reads_a_real_customer_query_answer_through_the_parser() -> None:
    def qbo(request: httpx.Request) -> httpx.Response:
        return answer("customer_query_response.json", 200)

    with httpx.Client(transport=httpx.MockTransport(qbo)) as http:
        client = QboClient(http, "https://qbo.test", "1", "token", MemoryRealmGate(RealmLimits()))
        [amy] = client.find_customers_by_display_name("Amy's Bird Sanctuary")
        assert amy.customer_type_id == "5000000000000018823"
        assert client.get_customer("1") == amy
