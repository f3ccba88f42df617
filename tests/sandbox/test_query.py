"""Queries over HTTP: matching, inactive rows, ordering, paging and counting."""

from __future__ import annotations

from typing import Any

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["DisplayName"] for row in rows]


def test_a_created_customer_is_found_by_display_name_in_any_case(qbo: QboCalls) -> None:
    created = qbo.create_customer("Jane Doe")

    rows = qbo.rows("select * from Customer where DisplayName = 'JANE doe'")

    assert [row["Id"] for row in rows] == [created["Id"]]


def test_an_escaped_quote_matches_a_name_with_an_apostrophe(qbo: QboCalls) -> None:
    qbo.create_customer("Amy's Bird Sanctuary")
    qbo.create_customer("Amys Bird Sanctuary")

    rows = qbo.rows(r"select * from Customer where DisplayName = 'amy\'s bird sanctuary'")

    assert names(rows) == ["Amy's Bird Sanctuary"]


def test_a_get_with_an_urlencoded_query_answers_like_a_post(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")
    statement = "select * from Customer where DisplayName = 'Jane Doe'"

    response = qbo.get("query", query=statement, minorversion="75")

    assert response.status_code == 200
    assert names(response.get_json()["QueryResponse"]["Customer"]) == ["Jane Doe"]


def test_whitespace_in_names_counts(qbo: QboCalls) -> None:
    qbo.create_customer("A&W")
    qbo.create_customer("A & W")

    assert names(qbo.rows("select * from Customer where DisplayName = 'A & W'")) == ["A & W"]
    assert qbo.rows("select * from Customer where DisplayName = 'A & W '") == []


def test_the_name_case_switch_makes_name_matches_exact(state: SandboxState) -> None:
    state.options = SandboxOptions(name_case="sensitive")
    qbo = QboCalls(create_app(state).test_client())
    qbo.create_customer("Jane Doe")

    assert qbo.rows("select * from Customer where DisplayName = 'jane doe'") == []
    assert names(qbo.rows("select * from Customer where DisplayName = 'Jane Doe'")) == ["Jane Doe"]


def test_like_matches_percent_anywhere_in_the_pattern(qbo: QboCalls) -> None:
    for name in ("Cool Cars", "Bill's Windsurf Shop", "Sushi by Katsuyuki"):
        qbo.create_customer(name)

    assert names(qbo.rows("select * from Customer where DisplayName like '%S%o%'")) == [
        "Bill's Windsurf Shop"
    ]
    assert names(qbo.rows("select * from Customer where DisplayName like 'cool%'")) == ["Cool Cars"]


def test_inactive_customers_are_left_out_unless_the_query_asks_for_them(qbo: QboCalls) -> None:
    qbo.create_customer("Still Here")
    qbo.create_customer("Gone Away", Active=False)

    assert names(qbo.rows("select * from Customer")) == ["Still Here"]
    assert names(qbo.rows("select * from Customer where Active = false")) == ["Gone Away"]
    assert names(qbo.rows("select * from Customer where Active in (true, false)")) == [
        "Still Here",
        "Gone Away",
    ]


def test_a_name_lookup_misses_an_inactive_namesake_by_default(qbo: QboCalls) -> None:
    qbo.create_customer("Gone Away", Active=False)

    assert qbo.rows("select * from Customer where DisplayName = 'Gone Away'") == []


def test_maxresults_and_startposition_page_through_the_rows(qbo: QboCalls) -> None:
    for n in range(1, 6):
        qbo.create_customer(f"Customer {n}")

    response = qbo.query("select * from Customer orderby Id startposition 3 maxresults 2")

    answer = response.get_json()["QueryResponse"]
    assert names(answer["Customer"]) == ["Customer 3", "Customer 4"]
    assert (answer["startPosition"], answer["maxResults"]) == (3, 2)


def test_max_results_reports_the_rows_returned_not_the_rows_asked_for(qbo: QboCalls) -> None:
    qbo.create_customer("Only One")

    answer = qbo.query("select * from Customer maxresults 50").get_json()["QueryResponse"]

    assert answer["maxResults"] == 1


def test_at_most_100_rows_come_back_without_maxresults(state: SandboxState, qbo: QboCalls) -> None:
    for n in range(105):
        state.add_customer(REALM_ID, DisplayName=f"Customer {n:03}")

    assert len(qbo.rows("select * from Customer")) == 100
    assert len(qbo.rows("select * from Customer maxresults 1000")) == 105


def test_a_start_past_the_end_answers_an_empty_query_response(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")

    response = qbo.query("select * from Customer startposition 2")

    assert response.status_code == 200
    assert response.get_json()["QueryResponse"] == {}


def test_count_star_counts_every_match_whatever_the_paging(qbo: QboCalls) -> None:
    for n in range(1, 4):
        qbo.create_customer(f"Customer {n}")
    qbo.create_customer("Inactive", Active=False)

    count = qbo.query("select count(*) from Customer maxresults 1").get_json()["QueryResponse"]
    everyone = qbo.query("select count(*) from Customer where Active in (true, false)")

    assert count == {"totalCount": 3}
    assert everyone.get_json()["QueryResponse"] == {"totalCount": 4}


def test_orderby_sorts_names_ignoring_case_and_desc_reverses(qbo: QboCalls) -> None:
    for name in ("banana", "Apple", "cherry"):
        qbo.create_customer(name)

    assert names(qbo.rows("select * from Customer orderby DisplayName")) == [
        "Apple",
        "banana",
        "cherry",
    ]
    assert names(qbo.rows("select * from Customer order by DisplayName desc"))[0] == "cherry"


def test_ids_sort_as_numbers(state: SandboxState, qbo: QboCalls) -> None:
    for n in range(11):
        state.add_customer(REALM_ID, DisplayName=f"Customer {n}")

    ids = [row["Id"] for row in qbo.rows("select * from Customer orderby Id desc maxresults 3")]

    assert ids == ["11", "10", "9"]


def test_id_in_a_list_finds_those_customers(qbo: QboCalls) -> None:
    ids = [qbo.create_customer(f"Customer {n}")["Id"] for n in range(3)]

    rows = qbo.rows(f"select * from Customer where Id in ('{ids[0]}', '{ids[2]}')")

    assert [row["Id"] for row in rows] == [ids[0], ids[2]]


def test_email_and_last_updated_time_are_filterable(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe", PrimaryEmailAddr={"Address": "jane@example.com"})

    by_email = qbo.rows("select * from Customer where PrimaryEmailAddr = 'JANE@example.com'")
    since = qbo.rows(
        "select * from Customer where MetaData.LastUpdatedTime >= '2020-01-01T00:00:00-08:00'"
    )
    future = qbo.rows("select * from Customer where MetaData.LastUpdatedTime > '2999-01-01'")

    assert (names(by_email), names(since), future) == (["Jane Doe"], ["Jane Doe"], [])


def test_balance_compares_as_a_number(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")

    assert names(qbo.rows("select * from Customer where Balance < 10")) == ["Jane Doe"]
    assert qbo.rows("select * from Customer where Balance > 0") == []


def test_customer_types_are_queryable_by_name(state: SandboxState, qbo: QboCalls) -> None:
    state.add_customer_type(REALM_ID, "Individual")
    business = state.add_customer_type(REALM_ID, "Business")

    rows = qbo.rows("select * from customertype where Name = 'business'")

    assert rows == [business]
