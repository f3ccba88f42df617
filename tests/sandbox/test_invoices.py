"""Invoice writes: required fields, lines and totals, DocNumbers, dates and updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.books import a_sales_line, an_invoice, an_invoice_body, an_item, versioned
from tests.sandbox.qbo_calls import REALM_ID, TOKEN, QboCalls, fault_of, sample

INACTIVE_DETAIL = sample("fault_object_not_found.json")["Fault"]["Error"][0]["Detail"]


@pytest.fixture
def jane(qbo: QboCalls) -> dict[str, Any]:
    return qbo.create_customer("Jane Doe")


@pytest.fixture
def item(qbo: QboCalls) -> dict[str, Any]:
    return an_item(qbo, UnitPrice=150)


def test_an_invoice_totals_its_counted_lines_and_starts_with_that_balance(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    body = an_invoice_body(
        jane["Id"],
        a_sales_line(item["Id"], 450, qty=3, price=150),
        a_sales_line(item["Id"], "0.10"),
        a_sales_line(item["Id"], 0.2),
        {"DetailType": "DescriptionOnly", "Description": "Thank you", "Amount": 99},
        {"DetailType": "SubTotalLineDetail", "Amount": 12345, "SubTotalLineDetail": {}},
    )

    invoice = qbo.create("Invoice", body)

    assert (invoice["TotalAmt"], invoice["Balance"]) == (450.3, 450.3)
    assert [line.get("LineNum") for line in invoice["Line"]] == [1, 2, 3, 4, None]
    assert invoice["Line"][-1] == {
        "Amount": 450.3,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert invoice["CustomerRef"] == {"value": jane["Id"], "name": "Jane Doe"}
    assert invoice["Line"][0]["SalesItemLineDetail"]["ItemAccountRef"]["name"] == "Services"


def test_read_only_totals_sent_by_a_client_are_overwritten(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    invoice = an_invoice(qbo, jane["Id"], item["Id"], 100, TotalAmt=5, Balance=5, LinkedTxn=[])

    assert (invoice["TotalAmt"], invoice["Balance"]) == (100.0, 100.0)


def test_a_sales_line_without_an_item_is_documentation_and_not_counted(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    no_item = {"Amount": 70, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}

    invoice = qbo.create(
        "Invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 30), no_item)
    )

    assert invoice["TotalAmt"] == 30.0


def test_an_amount_other_than_qty_times_unit_price_is_a_6070_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    body = an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1000, qty=7, price=225))

    response = qbo.post("invoice", body)

    assert response.status_code == 400
    assert fault_of(response) == {
        "Message": "Amount is not equal to UnitPrice * Qty",
        "Detail": "Amount is not equal to UnitPrice * Qty. Supplied value:1,000",
        "code": "6070",
        "element": "",
    }


def test_qty_times_unit_price_is_rounded_half_up_to_cents(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    line = a_sales_line(item["Id"], 1861.08, qty=128.35, price=14.5)

    invoice = qbo.create("Invoice", an_invoice_body(jane["Id"], line))

    assert invoice["TotalAmt"] == 1861.08


def test_qty_and_unit_price_of_zero_count_as_not_sent(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    # python-quickbooks sends Qty 0 and UnitPrice 0 for a line that sets only Amount.
    line = a_sales_line(item["Id"], 100, qty=0, price=0)

    invoice = qbo.create("Invoice", an_invoice_body(jane["Id"], line))

    assert invoice["TotalAmt"] == 100.0
    assert not {"Qty", "UnitPrice"} & set(invoice["Line"][0]["SalesItemLineDetail"])


@pytest.mark.parametrize(
    ("body", "code", "element"),
    [
        ({"Line": [{"Amount": 1, "DetailType": "DescriptionOnly"}]}, "2020", "CustomerRef"),
        ({"CustomerRef": {"value": "JANE"}}, "2020", "Line"),
        ({"CustomerRef": {"value": "JANE"}, "Line": []}, "2020", "Line"),
        (
            {"CustomerRef": {"value": "404"}, "Line": [{"DetailType": "DescriptionOnly"}]},
            "2500",
            "CustomerRef",
        ),
        (
            {"CustomerRef": {"value": "JANE"}, "Line": [{"DetailType": "GroupLineDetail"}]},
            "2010",
            "",
        ),
        (
            {"CustomerRef": {"value": "JANE"}, "Line": [{"DetailType": "SalesItemLineDetail"}]},
            "2020",
            "Line.Amount",
        ),
    ],
)
def test_missing_or_unknown_invoice_fields_are_faults(
    qbo: QboCalls, jane: dict[str, Any], body: dict[str, Any], code: str, element: str
) -> None:
    if body.get("CustomerRef", {}).get("value") == "JANE":
        body["CustomerRef"] = {"value": jane["Id"]}

    error = fault_of(qbo.post("invoice", body))

    assert (error["code"], error["element"]) == (code, element)


def test_an_amount_of_more_than_15_digits_is_refused(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    response = qbo.post("invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1e10)))

    assert fault_of(response)["code"] == "6000"


def test_an_invoice_for_an_inactive_customer_is_a_610_fault_saying_so(
    qbo: QboCalls, item: dict[str, Any]
) -> None:
    gone = qbo.create_customer("Gone Away", Active=False)

    response = qbo.post("invoice", an_invoice_body(gone["Id"], a_sales_line(item["Id"], 10)))

    assert response.status_code == 400
    error = fault_of(response)
    assert (error["code"], error["Message"], error["Detail"]) == (
        "610",
        "Object Not Found",
        INACTIVE_DETAIL,
    )


def test_an_inactive_or_unknown_item_on_a_line_is_a_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    qbo.create("Item", versioned(item, Active=False))

    inactive = qbo.post("invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 10)))
    unknown = qbo.post("invoice", an_invoice_body(jane["Id"], a_sales_line("404", 10)))

    assert fault_of(inactive)["code"] == "610"
    assert fault_of(unknown)["element"] == "Line.SalesItemLineDetail.ItemRef"
    assert fault_of(unknown)["code"] == "2500"


def test_class_and_department_refs_are_named_and_checked(
    state: SandboxState, qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    klass = state.add_class(REALM_ID, Name="Tax")
    office = state.add_department(REALM_ID, Name="Main Office")
    line = a_sales_line(item["Id"], 10)
    line["SalesItemLineDetail"]["ClassRef"] = {"value": klass["Id"]}

    invoice = qbo.create(
        "Invoice",
        an_invoice_body(
            jane["Id"], line, DepartmentRef={"value": office["Id"]}, ClassRef={"value": klass["Id"]}
        ),
    )
    unknown = qbo.post(
        "invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1), ClassRef={"value": "9"})
    )

    assert invoice["DepartmentRef"] == {"value": office["Id"], "name": "Main Office"}
    assert invoice["ClassRef"] == {"value": klass["Id"], "name": "Tax"}
    assert invoice["Line"][0]["SalesItemLineDetail"]["ClassRef"]["value"] == klass["Id"]
    assert (fault_of(unknown)["code"], fault_of(unknown)["element"]) == ("2500", "ClassRef")


def test_invoices_are_numbered_from_1001_when_sent_without_doc_number(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    first = an_invoice(qbo, jane["Id"], item["Id"])
    custom = an_invoice(qbo, jane["Id"], item["Id"], DocNumber="2000")
    lettered = an_invoice(qbo, jane["Id"], item["Id"], DocNumber="INV-9999")
    after = an_invoice(qbo, jane["Id"], item["Id"])

    assert [i["DocNumber"] for i in (first, custom, lettered, after)] == [
        "1001",
        "2000",
        "INV-9999",
        "2001",
    ]


def test_with_custom_transaction_numbers_an_invoice_may_have_no_doc_number(
    state: SandboxState, item: dict[str, Any]
) -> None:
    state.options = SandboxOptions(custom_txn_number=True)
    qbo = QboCalls(create_app(state).test_client())
    jane = qbo.create_customer("Jane Doe")

    invoice = an_invoice(qbo, jane["Id"], item["Id"])

    assert "DocNumber" not in invoice


def test_a_doc_number_of_more_than_21_characters_is_a_2050_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    body = an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1))

    at_limit = qbo.post("invoice", {**body, "DocNumber": "x" * 21})
    over = qbo.post("invoice", {**body, "DocNumber": "x" * 22})

    assert at_limit.status_code == 200
    assert (fault_of(over)["code"], fault_of(over)["element"]) == ("2050", "DocNumber")


def test_a_duplicate_doc_number_is_6140_naming_the_invoice_that_has_it(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    first = an_invoice(qbo, jane["Id"], item["Id"], DocNumber="1042")

    response = qbo.post(
        "invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 5), DocNumber="1042")
    )

    assert response.status_code == 400
    assert fault_of(response)["Detail"].endswith(
        f"DocNumber=1042 is assigned to TxnType=Invoice with TxnId={first['Id']}"
    )


def test_include_allowduplicatedocnum_lets_a_doc_number_repeat(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    body = an_invoice_body(jane["Id"], a_sales_line(item["Id"], 5), DocNumber="1042")
    qbo.create("Invoice", body)

    again = qbo.post("invoice", body, include="allowduplicatedocnum")

    assert again.status_code == 200
    assert again.get_json()["Invoice"]["DocNumber"] == "1042"


def test_an_update_keeping_its_own_doc_number_is_no_duplicate(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    invoice = an_invoice(qbo, jane["Id"], item["Id"], DocNumber="1042")

    response = qbo.post("invoice", versioned(invoice, DocNumber="1042", PrivateNote="hi"))

    assert response.status_code == 200


def test_dates_default_to_the_company_date_and_net_30() -> None:
    # 07:30 UTC on 1 March is still 28 February in the company's zone (US Pacific).
    moment = datetime(2026, 3, 1, 7, 30, tzinfo=ZoneInfo("UTC"))
    state = SandboxState(now=lambda: moment)
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    qbo = QboCalls(create_app(state).test_client())
    jane, item = qbo.create_customer("Jane Doe"), an_item(qbo)

    defaulted = an_invoice(qbo, jane["Id"], item["Id"])
    dated = an_invoice(qbo, jane["Id"], item["Id"], TxnDate="2026-11-01")

    assert (defaulted["TxnDate"], defaulted["DueDate"]) == ("2026-02-28", "2026-03-30")
    assert (dated["TxnDate"], dated["DueDate"]) == ("2026-11-01", "2026-12-01")


def test_a_date_that_is_not_a_date_is_a_2010_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    response = qbo.post(
        "invoice", an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1), TxnDate="11/01/2026")
    )

    assert fault_of(response)["code"] == "2010"


def test_a_private_note_of_more_than_4000_characters_is_a_2050_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    body = an_invoice_body(jane["Id"], a_sales_line(item["Id"], 1), PrivateNote="n" * 4001)

    assert fault_of(qbo.post("invoice", body))["code"] == "2050"


def test_a_sparse_update_keeps_the_lines_and_a_new_line_list_replaces_them(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    invoice = an_invoice(qbo, jane["Id"], item["Id"], 450, CustomerMemo={"value": "Thanks"})

    noted = qbo.create("Invoice", versioned(invoice, PrivateNote="checked"))
    kept_line = {**noted["Line"][0], "Amount": 500}
    kept_line["SalesItemLineDetail"] = {"ItemRef": {"value": item["Id"]}}
    relined = qbo.create(
        "Invoice", versioned(noted, Line=[kept_line, a_sales_line(item["Id"], 50)])
    )

    assert (noted["TotalAmt"], noted["SyncToken"], noted["PrivateNote"]) == (450.0, "1", "checked")
    assert noted["CustomerMemo"] == {"value": "Thanks"}
    assert (relined["TotalAmt"], relined["Balance"]) == (550.0, 550.0)
    assert [line.get("Id") for line in relined["Line"]] == ["1", "2", None]


def test_a_full_update_clears_what_it_omits_but_keeps_number_and_dates(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    invoice = an_invoice(qbo, jane["Id"], item["Id"], PrivateNote="first", TxnDate="2026-01-05")
    body = {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}

    updated = qbo.create(
        "Invoice", {**body, **an_invoice_body(jane["Id"], a_sales_line(item["Id"], 9))}
    )

    assert "PrivateNote" not in updated
    assert (updated["DocNumber"], updated["TxnDate"]) == (invoice["DocNumber"], "2026-01-05")
    assert updated["TotalAmt"] == 9.0


def test_a_stale_sync_token_on_an_invoice_is_a_5010_fault(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    invoice = an_invoice(qbo, jane["Id"], item["Id"])
    qbo.create("Invoice", versioned(invoice, PrivateNote="first"))

    response = qbo.post("invoice", versioned(invoice, PrivateNote="second"))

    assert fault_of(response)["code"] == "5010"


def test_an_invoice_raises_its_customers_balance(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    an_invoice(qbo, jane["Id"], item["Id"], 450)
    an_invoice(qbo, jane["Id"], item["Id"], "49.99")

    customer = qbo.read("Customer", jane["Id"])

    assert (customer["Balance"], customer["SyncToken"]) == (499.99, jane["SyncToken"])


def test_a_sub_customers_invoices_count_in_the_parents_balance_with_jobs(
    qbo: QboCalls, jane: dict[str, Any], item: dict[str, Any]
) -> None:
    job = qbo.create_customer("Jane's 2025 Return", ParentRef={"value": jane["Id"]})
    an_invoice(qbo, jane["Id"], item["Id"], 100)
    an_invoice(qbo, job["Id"], item["Id"], 250)

    parent = qbo.read("Customer", jane["Id"])

    assert (parent["Balance"], parent["BalanceWithJobs"]) == (100.0, 350.0)
