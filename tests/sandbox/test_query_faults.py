"""Query faults over HTTP: 4001 for what QBO parses but refuses, 4000 for what it cannot parse."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.sandbox.qbo_calls import REALM_ID, TOKEN, QboCalls, fault_of


def test_a_property_that_is_not_queryable_is_a_4001_fault(qbo: QboCalls) -> None:
    response = qbo.query("select * from Customer where Notes = 'x'")

    assert response.status_code == 400
    assert fault_of(response) == {
        "Message": "Invalid query",
        "Detail": "QueryValidationError: property 'Notes' is not queryable",
        "code": "4001",
    }


def test_ordering_by_a_property_that_is_not_queryable_is_a_4001_fault(qbo: QboCalls) -> None:
    response = qbo.query("select * from Customer orderby Notes")

    assert fault_of(response)["code"] == "4001"


def test_maxresults_above_1000_is_a_4001_fault_with_qbo_detail(qbo: QboCalls) -> None:
    response = qbo.query("select * from Customer maxresults 1500")

    assert response.status_code == 400
    assert fault_of(response)["Detail"] == (
        "QueryValidationError: value 1500 is too large. Max allowed value is 1000"
    )


@pytest.mark.parametrize(
    "statement",
    [
        "select * from Customer where Id > '3'",
        "select * from Customer where Id like '1%'",
        "select * from Customer where Active like 'tr%'",
        "select * from Customer where Balance = 'lots'",
        "select * from Customer where Active = 'maybe'",
        "select * from Customer where MetaData.LastUpdatedTime > 'yesterday'",
        "select * from Customer startposition 0",
        "select * from Invoicez",
    ],
)
def test_a_query_qbo_parses_but_refuses_is_a_4001_fault(qbo: QboCalls, statement: str) -> None:
    response = qbo.query(statement)

    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "4001"
    assert error["Detail"].startswith("QueryValidationError: ")
    assert "element" not in error


def test_or_is_a_4000_parse_fault_over_http(qbo: QboCalls) -> None:
    response = qbo.query("select * from Customer where DisplayName = 'A' or DisplayName = 'B'")

    assert response.status_code == 400
    assert fault_of(response)["Message"] == "Error parsing query"
    assert "element" not in fault_of(response)


def test_an_empty_post_body_is_an_empty_query_fault(client: FlaskClient) -> None:
    response = client.post(
        f"/v3/company/{REALM_ID}/query",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/text"},
    )

    assert fault_of(response)["Detail"] == "QueryParserError: The query provided was empty"
