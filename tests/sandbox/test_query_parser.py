"""The query language's tokenizer and parser, without HTTP."""

from __future__ import annotations

import pytest

from sandbox.faults import QboFault
from sandbox.query.parser import parse_query
from sandbox.query.syntax import Condition, Query, Value
from tests.sandbox.qbo_calls import sample


def test_a_full_statement_parses_into_entity_conditions_order_and_paging() -> None:
    statement = (
        "select * from Customer where DisplayName like 'Amy%' and Balance >= -1.5 "
        "and Active in (true, false) orderby DisplayName desc startposition 3 maxresults 20"
    )

    assert parse_query(statement) == Query(
        entity="Customer",
        count=False,
        where=(
            Condition("DisplayName", "like", (Value("string", "Amy%"),)),
            Condition("Balance", ">=", (Value("number", "-1.5"),)),
            Condition("Active", "in", (Value("boolean", "true"), Value("boolean", "false"))),
        ),
        order_by="DisplayName",
        descending=True,
        start_position=3,
        max_results=20,
    )


def test_keywords_and_boolean_literals_are_read_in_any_case() -> None:
    query = parse_query("SELECT * FROM customer WHERE Active = False ORDERBY Id ASC MAXRESULTS 5")

    assert query.where == (Condition("Active", "=", (Value("boolean", "false"),)),)
    assert (query.entity, query.order_by, query.descending, query.max_results) == (
        "customer",
        "Id",
        False,
        5,
    )


def test_order_by_may_be_written_as_two_words() -> None:
    assert parse_query("select * from Customer order by DisplayName").order_by == "DisplayName"


def test_paging_clauses_may_come_in_either_order() -> None:
    query = parse_query("select * from Customer maxresults 10 startposition 21")

    assert (query.start_position, query.max_results) == (21, 10)


def test_an_escaped_quote_stays_inside_the_string_literal() -> None:
    query = parse_query(r"select * from Customer where DisplayName = 'Amy\'s Bird Sanctuary'")

    assert query.where[0].values == (Value("string", "Amy's Bird Sanctuary"),)


def test_whitespace_inside_a_string_literal_is_kept() -> None:
    query = parse_query("select * from Customer where DisplayName = ' A & W '")

    assert query.where[0].values == (Value("string", " A & W "),)


def test_count_star_parses_as_a_count() -> None:
    query = parse_query("select COUNT(*) from Customer startposition 1 maxresults 10")

    assert query.count is True


def test_a_star_followed_by_fields_parses_as_select_star() -> None:
    # python-quickbooks sends "select *, Sku from Item".
    assert parse_query("select *, Sku from Item").count is False


@pytest.mark.parametrize(
    "statement",
    [
        "select * from Customer where DisplayName = 'A' or DisplayName = 'B'",
        "select * from Customer where DisplayName = 'Amy's'",
        "select * from Customer where DisplayName = 'unterminated",
        "select * from Customer where",
        "select * from Customer where Active != true",
        "select * from Customer maxresults ten",
        "select * from Customer maxresults 10 maxresults 20",
        "select * from Customer;",
        "select from Customer",
        "delete from Customer",
        "",
        "   ",
    ],
)
def test_a_statement_qbo_cannot_parse_is_a_4000_fault_without_element(statement: str) -> None:
    with pytest.raises(QboFault) as raised:
        parse_query(statement)

    error = raised.value.errors[0]
    assert (raised.value.status, error.code, error.message) == (400, "4000", "Error parsing query")
    assert error.detail.startswith("QueryParserError: ")
    assert error.element is None


def test_the_parser_error_names_the_token_and_its_position_as_qbo_does() -> None:
    expected = sample("fault_query_parser.json")["Fault"]["Error"][0]["Detail"]

    with pytest.raises(QboFault) as raised:
        parse_query("select * form Customer")

    assert raised.value.errors[0].detail == expected


def test_an_empty_query_says_so() -> None:
    with pytest.raises(QboFault) as raised:
        parse_query("")

    assert raised.value.errors[0].detail == "QueryParserError: The query provided was empty"
