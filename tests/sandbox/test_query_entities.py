"""Queries over every entity: their filterable fields, counts, hidden rows and field lists."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.query.parser import parse_query
from tests.sandbox.books import a_payment, an_invoice, an_item
from tests.sandbox.qbo_calls import QboCalls, fault_of

ENTITIES = (
    "Customer",
    "CustomerType",
    "PaymentMethod",
    "Vendor",
    "Employee",
    "Item",
    "Account",
    "Class",
    "Department",
    "Invoice",
    "Payment",
)


@pytest.fixture
def books(qbo: QboCalls) -> dict[str, Any]:
    """Two customers, three invoices on set dates, and a payment of the first."""
    jane, john = qbo.create_customer("Jane Doe"), qbo.create_customer("John Roe")
    item = an_item(qbo)
    first = an_invoice(qbo, jane["Id"], item["Id"], 100, TxnDate="2026-01-10", DocNumber="A-1")
    second = an_invoice(qbo, jane["Id"], item["Id"], 250, TxnDate="2026-02-10")
    third = an_invoice(qbo, john["Id"], item["Id"], 75, TxnDate="2026-03-10")
    payment = a_payment(qbo, jane["Id"], 100, (first["Id"], 100))
    return {"jane": jane, "john": john, "invoices": [first, second, third], "payment": payment}


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["Id"] for row in rows]


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_answers_select_star_and_count(qbo: QboCalls, entity: str) -> None:
    rows = qbo.query(f"select * from {entity}")
    count = qbo.query(f"select count(*) from {entity.lower()}")

    assert rows.status_code == count.status_code == 200
    assert "totalCount" in count.get_json()["QueryResponse"]


def test_invoices_are_filtered_by_customer_date_number_and_amounts(
    qbo: QboCalls, books: dict[str, Any]
) -> None:
    first, second, third = books["invoices"]
    jane = books["jane"]["Id"]

    assert ids(qbo.rows(f"select * from Invoice where CustomerRef = '{jane}'")) == ids(
        [first, second]
    )
    assert ids(qbo.rows("select * from Invoice where TxnDate >= '2026-02-01'")) == ids(
        [second, third]
    )
    assert ids(qbo.rows("select * from Invoice where DueDate < '2026-03-01'")) == ids([first])
    assert ids(qbo.rows("select * from Invoice where DocNumber = 'A-1'")) == ids([first])
    assert ids(qbo.rows("select * from Invoice where Balance > 0 and TotalAmt < 200")) == ids(
        [third]
    )
    assert ids(qbo.rows("select * from Invoice orderby TxnDate desc")) == ids(
        [third, second, first]
    )


def test_invoices_and_payments_are_filtered_by_metadata_times(
    qbo: QboCalls, books: dict[str, Any]
) -> None:
    since = "select count(*) from {} where MetaData.CreateTime >= '2020-01-01T00:00:00Z'"
    later = "select count(*) from {} where MetaData.LastUpdatedTime > '2999-01-01'"

    assert qbo.query(since.format("Invoice")).get_json()["QueryResponse"] == {"totalCount": 3}
    assert qbo.query(since.format("Payment")).get_json()["QueryResponse"] == {"totalCount": 1}
    assert qbo.query(later.format("Invoice")).get_json()["QueryResponse"] == {"totalCount": 0}


def test_payments_are_filtered_by_customer_and_total(qbo: QboCalls, books: dict[str, Any]) -> None:
    jane, john = books["jane"]["Id"], books["john"]["Id"]

    assert ids(qbo.rows(f"select * from Payment where CustomerRef in ('{jane}', '{john}')")) == [
        books["payment"]["Id"]
    ]
    assert qbo.rows("select * from Payment where TotalAmt > 100") == []


@pytest.mark.parametrize(
    "statement",
    [
        "select * from Invoice where Active = true",
        "select * from Payment where Active in (true, false)",
        "select * from Invoice where PrivateNote = 'x'",
        "select * from Invoice where TxnDate > 'last week'",
        "select * from Invoice where CustomerRef > '1'",
        "select * from Item where UnitPrice > 5",
        "select * from Vendor where PrimaryEmailAddr = 'a@b.co'",
    ],
)
def test_fields_an_entity_cannot_filter_on_are_4001_faults(qbo: QboCalls, statement: str) -> None:
    response = qbo.query(statement)

    assert (response.status_code, fault_of(response)["code"]) == (400, "4001")


def test_items_are_filtered_by_name_type_and_qualified_name(qbo: QboCalls) -> None:
    audit = an_item(qbo, "Audit")
    binders = an_item(qbo, "Binders", Type="NonInventory")

    assert ids(qbo.rows("select * from Item where Type = 'NonInventory'")) == [binders["Id"]]
    assert ids(qbo.rows("select * from Item where FullyQualifiedName = 'audit'")) == [audit["Id"]]
    assert ids(qbo.rows("select * from Item where Name in ('Audit', 'Binders')")) == ids(
        [audit, binders]
    )


def test_accounts_are_filtered_by_type_and_classification(qbo: QboCalls) -> None:
    rows = qbo.rows("select * from Account where Classification = 'Asset' orderby Name")

    assert [row["Name"] for row in rows] == ["Checking", "Undeposited Funds"]
    assert [r["Name"] for r in qbo.rows("select * from Account where AccountType = 'Income'")] == [
        "Services"
    ]


def test_a_field_list_answers_sparse_objects_with_id_and_those_fields(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe", PrimaryEmailAddr={"Address": "jane@example.com"})

    rows = qbo.rows("select DisplayName, primaryemailaddr, MetaData.LastUpdatedTime from Customer")

    assert rows == [
        {
            "domain": "QBO",
            "sparse": True,
            "Id": "1",
            "DisplayName": "Jane Doe",
            "PrimaryEmailAddr": {"Address": "jane@example.com"},
            "MetaData": {"LastUpdatedTime": rows[0]["MetaData"]["LastUpdatedTime"]},
        }
    ]


def test_a_field_list_leaves_out_fields_without_a_value(
    qbo: QboCalls, books: dict[str, Any]
) -> None:
    rows = qbo.rows("select Id, DocNumber, Balance, Nonsense from Invoice orderby Id")

    assert [set(row) for row in rows] == [{"domain", "sparse", "Id", "DocNumber", "Balance"}] * 3


def test_star_with_fields_answers_whole_objects(qbo: QboCalls) -> None:
    item = an_item(qbo)

    assert qbo.rows("select *, Sku from Item") == [item]


def test_the_parser_keeps_a_field_list_and_drops_it_for_star() -> None:
    assert parse_query("select Id, DisplayName from Customer").fields == ("Id", "DisplayName")
    assert parse_query("select *, Sku from Item").fields is None
    assert parse_query("select count(*) from Item").fields is None
