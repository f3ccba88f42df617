"""What the QBO client sends to write invoices and payments, and what it makes of the answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.adapters.gate import MemoryRealmGate, RealmLimits
from core.adapters.qbo import billing_payloads
from core.adapters.qbo.client import QboClient
from core.domain.qbo import QboInvoice, QboInvoiceDraft, QboInvoiceLine, QboPaymentDraft
from core.errors import QboFaultError, QboPacedError, QboPayloadError, QboTransientError

SAMPLES = Path(__file__).parents[1] / "fixtures" / "qbo_samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


LINE = QboInvoiceLine("21", Decimal("450.00"), Decimal("1"), Decimal("450"))
DRAFT = QboInvoiceDraft("67", (LINE,))


def test_an_invoice_body_sends_the_lines_and_only_the_fields_given() -> None:
    line = QboInvoiceLine(
        "21", Decimal("12.50"), Decimal("0.5"), Decimal("25"), "Half an hour", "5000000000000007280"
    )
    draft = QboInvoiceDraft(
        "67",
        (line, LINE),
        doc_number="1037",
        txn_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        department_id="1",
    )

    assert billing_payloads.invoice(draft) == {
        "CustomerRef": {"value": "67"},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 12.5,
                "Description": "Half an hour",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": "21"},
                    "Qty": 0.5,
                    "UnitPrice": 25,
                    "ClassRef": {"value": "5000000000000007280"},
                },
            },
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 450,
                "SalesItemLineDetail": {"ItemRef": {"value": "21"}, "Qty": 1, "UnitPrice": 450},
            },
        ],
        "DocNumber": "1037",
        "TxnDate": "2026-11-01",
        "DueDate": "2026-12-01",
        "DepartmentRef": {"value": "1"},
    }
    assert set(billing_payloads.invoice(DRAFT)) == {"CustomerRef", "Line"}


def test_an_invoice_update_is_sparse_and_names_the_version_it_changes() -> None:
    body = billing_payloads.invoice_update("130", "3", DRAFT)
    assert (body["Id"], body["SyncToken"], body["sparse"]) == ("130", "3", True)
    assert body["Line"] == billing_payloads.invoice(DRAFT)["Line"]


def test_a_payment_applies_its_whole_amount_to_the_invoice_and_names_no_deposit_account() -> None:
    draft = QboPaymentDraft(
        "67",
        Decimal("450.00"),
        "130",
        txn_date=date(2026, 11, 5),
        payment_method_id="2",
        private_note="Check 1001",
    )

    assert billing_payloads.payment(draft) == {
        "CustomerRef": {"value": "67"},
        "TotalAmt": 450,
        "Line": [{"Amount": 450, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}],
        "TxnDate": "2026-11-05",
        "PaymentMethodRef": {"value": "2"},
        "PrivateNote": "Check 1001",
    }
    assert "DepositToAccountRef" not in billing_payloads.payment(draft)


def test_unapplying_a_payment_sends_no_lines_sparsely() -> None:
    assert billing_payloads.unapplied("131", "2") == {
        "Id": "131",
        "SyncToken": "2",
        "sparse": True,
        "Line": [],
    }


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        ("450.00", 450),
        ("12.5", 12.5),
        ("0.10", 0.1),
        ("-3.33", -3.33),
        ("9999999999999.99", 9999999999999.99),
    ],
)
def test_amounts_go_out_as_json_numbers_of_the_same_value(amount: str, sent: float) -> None:
    written = billing_payloads.number(Decimal(amount))
    assert written == sent and Decimal(json.dumps(written)) == Decimal(amount)


def test_an_amount_a_float_would_change_is_refused_rather_than_rounded() -> None:
    with pytest.raises(ValueError, match="digits"):
        billing_payloads.number(Decimal("1.00000000000000001"))


# The client over a scripted transport.


class ScriptedQbo:
    """Answers each request with the next scripted (status, body) and keeps the requests."""

    def __init__(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers.pop(0)
        return httpx.Response(
            status, json=body, headers={"content-type": "application/json", "intuit_tid": "t-1"}
        )


@pytest.fixture
def client() -> Iterator[Callable[..., tuple[QboClient, ScriptedQbo]]]:
    opened: list[httpx.Client] = []

    def make(*answers: tuple[int, Any]) -> tuple[QboClient, ScriptedQbo]:
        script = ScriptedQbo(*answers)
        http = httpx.Client(transport=httpx.MockTransport(script))
        opened.append(http)
        gate = MemoryRealmGate(RealmLimits())
        return QboClient(http, "https://qbo.test", "1", "token", gate), script

    yield make
    for http in opened:
        http.close()


INVOICE = sample("invoice_create_response.json")
PAYMENT = sample("payment_create_response.json")
DELETED = sample("invoice_delete_response.json")
NOT_FOUND = sample("fault_object_not_found.json")


def test_every_write_carries_its_request_id_and_operation(client: Any) -> None:
    qbo, script = client((200, INVOICE), (200, INVOICE), (200, DELETED), (200, PAYMENT))
    unapplied = {"Payment": {**PAYMENT["Payment"], "Line": [], "SyncToken": "1"}}
    script.answers += [(200, unapplied), (200, {"Payment": {**DELETED["Invoice"]}})]
    draft = QboPaymentDraft("67", Decimal(450), "130")

    qbo.create_invoice(DRAFT, request_id="r1")
    qbo.update_invoice("130", "0", DRAFT, request_id="r2")
    qbo.delete_invoice("130", "1", request_id="r3")
    qbo.create_payment(draft, request_id="r4")
    assert qbo.unapply_payment("131", "0", request_id="r5").linked_invoice_ids == ()
    qbo.delete_payment("131", "1", request_id="r6")

    sent = [(r.method, r.url.path, dict(r.url.params)) for r in script.requests]
    assert [(method, path) for method, path, _ in sent] == [
        ("POST", "/v3/company/1/invoice"),
        ("POST", "/v3/company/1/invoice"),
        ("POST", "/v3/company/1/invoice"),
        ("POST", "/v3/company/1/payment"),
        ("POST", "/v3/company/1/payment"),
        ("POST", "/v3/company/1/payment"),
    ]
    assert [params.get("requestid") for _, _, params in sent] == [f"r{n}" for n in range(1, 7)]
    assert [params.get("operation") for _, _, params in sent] == [
        None,
        "update",
        "delete",
        None,
        "update",
        "delete",
    ]
    assert all(params["minorversion"] == "75" for _, _, params in sent)
    assert json.loads(script.requests[2].content) == {"Id": "130", "SyncToken": "1"}


def test_a_read_of_an_unknown_id_is_none_but_other_faults_raise(client: Any) -> None:
    qbo, script = client((400, NOT_FOUND), (200, INVOICE), (503, sample("fault_system.json")))

    assert qbo.get_invoice("999") is None
    assert qbo.get_invoice("130/../1") is not None
    with pytest.raises(QboTransientError):
        qbo.get_payment("131")

    assert [r.url.raw_path.split(b"?")[0] for r in script.requests] == [
        b"/v3/company/1/invoice/999",
        b"/v3/company/1/invoice/130%2F..%2F1",
        b"/v3/company/1/payment/131",
    ]


def test_an_answer_of_the_wrong_entity_is_a_payload_error(client: Any) -> None:
    qbo, _ = client((200, PAYMENT))
    with pytest.raises(QboPayloadError, match="invoice create"):
        qbo.create_invoice(DRAFT, request_id="r1")


def test_a_service_item_sells_into_services_else_the_first_income_account(client: Any) -> None:
    accounts = {
        "QueryResponse": {
            "Account": [
                {"Id": "4", "Name": "Sales", "AccountType": "Income"},
                {"Id": "79", "Name": "Services", "AccountType": "Income"},
            ]
        }
    }
    item = {"Item": {"Id": "21", "Name": "Tax preparation", "Type": "Service"}}
    only_sales = {"QueryResponse": {"Account": accounts["QueryResponse"]["Account"][:1]}}
    qbo, script = client((200, accounts), (200, item), (200, only_sales), (200, item))

    assert qbo.create_service_item("Tax preparation", request_id="i1") == "21"
    qbo.create_service_item("Tax preparation", request_id="i2")

    bodies = [json.loads(r.content) for r in script.requests if r.url.path.endswith("/item")]
    assert [b["IncomeAccountRef"] for b in bodies] == [{"value": "79"}, {"value": "4"}]
    assert bodies[0] == {
        "Name": "Tax preparation",
        "Type": "Service",
        "IncomeAccountRef": {"value": "79"},
    }
    assert script.requests[1].url.params["requestid"] == "i1"


def test_a_company_without_an_income_account_gets_no_item(client: Any) -> None:
    qbo, script = client((200, {"QueryResponse": {}}))
    with pytest.raises(QboPayloadError, match="income account"):
        qbo.create_service_item("Tax preparation", request_id="i1")
    assert len(script.requests) == 1  # the query; no create


def test_a_long_item_name_is_refused_before_any_call(client: Any) -> None:
    qbo, script = client()
    with pytest.raises(ValueError, match="100"):
        qbo.create_service_item("x" * 101, request_id="i1")
    assert script.requests == []


def test_only_a_service_or_non_inventory_item_is_found(client: Any) -> None:
    rows = [
        {"Id": "3", "Name": "Kit", "Type": "Group"},
        {"Id": "4", "Name": "Kit", "Type": "NonInventory"},
    ]
    qbo, script = client((200, {"QueryResponse": {"Item": rows}}), (200, {"QueryResponse": {}}))
    assert qbo.find_item_id("Kit") == "4"
    assert qbo.find_item_id("O'Brien fee") is None
    assert script.requests[1].content == (
        b"select * from Item where Name = 'O\\'Brien fee' maxresults 1000"
    )


def test_a_batch_sends_creates_by_bid_and_reads_each_answer(client: Any) -> None:
    answer = {
        "BatchItemResponse": [
            {"bId": "b2", "Fault": sample("fault_duplicate_docnumber.json")["Fault"]},
            {"bId": "b1", **INVOICE},
            {"bId": "b3", "Fault": {"Error": [{"Message": "Throttled", "code": "3001"}]}},
        ]
    }
    qbo, script = client((200, answer))
    drafts = [(bid, DRAFT) for bid in ("b1", "b2", "b3", "b4")]

    results = qbo.create_invoices_in_batch(drafts, request_id="batch-1")

    sent = json.loads(script.requests[0].content)
    assert [(i["bId"], i["operation"]) for i in sent["BatchItemRequest"]] == [
        (bid, "create") for bid in ("b1", "b2", "b3", "b4")
    ]
    assert sent["BatchItemRequest"][0]["Invoice"] == billing_payloads.invoice(DRAFT)
    assert script.requests[0].url.params["requestid"] == "batch-1"
    assert isinstance(results["b1"], QboInvoice) and results["b1"].id == "130"
    duplicate = results["b2"]
    assert type(duplicate) is QboFaultError
    assert (duplicate.code, duplicate.intuit_tid) == ("6140", "t-1")
    assert type(results["b3"]) is QboPacedError  # as a single call would classify it
    assert type(results["b4"]) is QboPayloadError  # QBO's answer left it out


def test_a_batch_refused_as_a_whole_raises(client: Any) -> None:
    qbo, _ = client((400, sample("fault_batch_too_large.json")))
    with pytest.raises(QboFaultError) as raised:
        qbo.create_invoices_in_batch([("b1", DRAFT)], request_id="batch-1")
    assert raised.value.code == "1040"


def test_classes_are_read_whole_and_matched_on_name_a_top_level_one_first(client: Any) -> None:
    rows = [
        {"Id": "7", "Name": "Payroll", "FullyQualifiedName": "Tax:Payroll"},
        {"Id": "8", "Name": "payroll", "FullyQualifiedName": "payroll"},
        {"Id": "9", "Name": "Payroll", "FullyQualifiedName": "Payroll"},
    ]
    answer = (200, {"QueryResponse": {"Class": rows}})
    qbo, script = client(answer, answer, answer)

    assert qbo.find_class_id("Payroll") == "9"  # exact Name, top level
    assert qbo.find_class_id("PAYROLL") == "8"  # no exact Name: case ignored, top level first
    assert qbo.find_class_id("Tax:Payroll") is None  # a qualified name is not a Name
    assert script.requests[0].content == b"select * from Class startposition 1 maxresults 1000"


def test_a_list_longer_than_a_page_is_read_page_by_page(client: Any) -> None:
    full = [{"Id": str(n), "Name": f"Method {n}"} for n in range(1, 1001)]
    last = [{"Id": "1001", "Name": "Zelle"}]
    qbo, script = client(
        (200, {"QueryResponse": {"PaymentMethod": full}}),
        (200, {"QueryResponse": {"PaymentMethod": last}}),
    )

    assert qbo.find_payment_method_id("Zelle") == "1001"
    assert [r.content for r in script.requests] == [
        b"select * from PaymentMethod startposition 1 maxresults 1000",
        b"select * from PaymentMethod startposition 1001 maxresults 1000",
    ]
