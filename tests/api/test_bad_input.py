"""Bad input is refused with 422 naming the field, and a refused request writes nothing.

Each write operation gets a body that is valid but for one unknown field, and one that is
valid but for one bad value (operations that take no body: an unknown field in the body, and
an unknown query argument); the database must be as it was, row for row.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from api.schemas import MAX_PAGE
from core.adapters.db.tables import metadata
from core.bootstrap import Services
from tests.api.billing import a_line, a_payment, an_invoice, put_account, put_invoice, put_payment
from tests.api.conftest import auth
from tests.conftest import Firm

MiB = 1024 * 1024


def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    with services.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
            for table in metadata.sorted_tables
        }


@pytest.fixture
def records(client: FlaskClient, firm: Firm) -> Firm:
    """The firm with an account c-1, its invoice i-1, a payment p-1 and a subscription."""
    put_account(client, firm, "c-1")
    put_invoice(client, firm, "i-1")
    put_payment(client, firm, "p-1")
    subscribed = client.put(
        "/v1/status-events", json={"url": "https://firm.example/events"}, headers=auth(firm)
    )
    assert subscribed.status_code == 201, subscribed.json
    return firm


# (method, path, a body valid but for the unknown field `extra`, a body with one bad value,
# the field the bad value is in); None: the operation takes no body.
WRITES: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, str | None]] = [
    (
        "PUT",
        "/v1/accounts/c-1",
        {"name": "Cool Cars"},
        {"name": "Cool Cars", "email": "x"},
        "email",
    ),
    ("PUT", "/v1/accounts/c-2", {"name": "New"}, {"name": " "}, "name"),
    ("POST", "/v1/accounts/c-1/sync", {"create": True}, {"customer_id": "abc"}, "customer_id"),
    (
        "POST",
        "/v1/accounts/sync",
        {"external_ids": ["c-1"]},
        {"external_ids": ["c-1"], "dry_run": "yes"},
        "dry_run",
    ),
    ("POST", "/v1/accounts/c-1/unsync", None, None, None),
    (
        "PUT",
        "/v1/invoices/i-1",
        an_invoice(total="450.00"),
        an_invoice(lines=[a_line(amount="451.00")], total="451.00"),
        "lines",
    ),
    ("PUT", "/v1/invoices/i-2", an_invoice(), an_invoice(issued_on="2026-02-30"), "issued_on"),
    ("DELETE", "/v1/invoices/i-1", None, None, None),
    ("POST", "/v1/invoices/i-1/sync", None, None, None),
    ("POST", "/v1/invoices/i-1/unsync", None, None, None),
    ("PUT", "/v1/payments/p-1", a_payment(), a_payment(amount="0"), "amount"),
    ("PUT", "/v1/payments/p-2", a_payment(), a_payment(amount="1e3"), "amount"),
    ("DELETE", "/v1/payments/p-1", None, None, None),
    ("POST", "/v1/payments/p-1/sync", None, None, None),
    ("POST", "/v1/payments/p-1/unsync", None, None, None),
    (
        "PATCH",
        "/v1/settings",
        {"auto_sync_new_accounts": True},
        {"auto_sync_new_accounts": True, "first_sync_scope": "some"},
        "first_sync_scope",
    ),
    (
        "PUT",
        "/v1/status-events",
        {"url": "https://firm.example/other"},
        {"url": "https://firm.example/other", "secret": "short"},
        "secret",
    ),
    ("DELETE", "/v1/status-events", None, None, None),
    ("POST", "/v1/api-keys", None, None, None),
    ("DELETE", "/v1/api-keys/1", None, None, None),
    ("POST", "/v1/connection/authorize", None, None, None),
    ("DELETE", "/v1/connection", None, None, None),
]
IDS = [f"{method} {path}" for method, path, *_ in WRITES]


def send(client: FlaskClient, firm: Firm, method: str, path: str, **kwargs: Any) -> Any:
    return client.open(path, method=method, headers=auth(firm), **kwargs)


@pytest.mark.parametrize(("method", "path", "valid", "bad", "field"), WRITES, ids=IDS)
def test_an_unknown_field_or_a_bad_value_is_refused_by_name_and_nothing_is_written(
    client: FlaskClient,
    services: Services,
    records: Firm,
    method: str,
    path: str,
    valid: dict[str, Any] | None,
    bad: dict[str, Any] | None,
    field: str | None,
) -> None:
    before = snapshot(services)

    unknown_field = send(client, records, method, path, json={**(valid or {}), "extra": 1})
    unknown_argument = send(client, records, method, f"{path}?force=true", json=valid)
    bad_value = send(client, records, method, path, json=bad) if bad is not None else None

    assert unknown_field.status_code == 422, unknown_field.json
    assert unknown_field.json["errors"] == {"json": {"extra": ["Unknown field."]}}
    assert set(unknown_field.json) == {"code", "status", "message", "errors"}
    assert unknown_argument.status_code == 422, unknown_argument.json
    assert unknown_argument.json["errors"] == {"query": {"force": ["Unknown field."]}}
    if bad_value is not None:
        assert bad_value.status_code == 422, bad_value.json
        assert list(bad_value.json["errors"]["json"]) == [field]
    assert snapshot(services) == before


def test_a_read_refuses_an_unknown_query_argument_by_name(client: FlaskClient, firm: Firm) -> None:
    lists = ["/v1/accounts?page=1&", "/v1/invoices?", "/v1/payments?", "/v1/quickbooks/customers?"]
    reads = ["/v1/accounts/summary?", "/v1/settings?", "/v1/connection?", "/v1/api-keys?"]

    answers = {path: client.get(f"{path}sort=name", headers=auth(firm)) for path in lists + reads}

    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(
        answers, 422
    )
    for answer in answers.values():
        assert answer.json["errors"] == {"query": {"sort": ["Unknown field."]}}


def test_a_request_without_a_key_is_refused_before_its_arguments_are_read(
    client: FlaskClient,
) -> None:
    answer = client.get("/v1/settings?status=synced")

    assert answer.status_code == 401


def test_the_open_operations_take_what_intuit_and_probes_add(client: FlaskClient) -> None:
    assert client.get("/v1/health?probe=1").status_code == 200


def test_a_body_that_is_not_a_json_object_is_not_taken_for_fields(
    client: FlaskClient, records: Firm
) -> None:
    answer = client.post(
        "/v1/accounts/c-1/unsync", data="not json", content_type="text/plain", headers=auth(records)
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "skipped"


# Text the store cannot hold, and bodies Python cannot read: 422 or 400, never a 500

NUL, SURROGATE = "a\x00b", "a\ud800b"
UNSTORABLE = ["Text cannot hold NUL (\\u0000) or a lone surrogate (\\ud800-\\udfff)."]


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_text_the_store_cannot_hold_is_refused_by_name_and_nothing_is_written(
    client: FlaskClient, services: Services, records: Firm, text: str
) -> None:
    before = snapshot(services)
    line = a_line(description=text)
    sends = {
        ("PUT", "/v1/accounts/c-1"): ({"name": text}, {"name": UNSTORABLE}),
        ("PUT", "/v1/accounts/c-2"): ({"name": "New", text: 1}, {text: UNSTORABLE}),
        ("PUT", "/v1/invoices/i-1"): (
            an_invoice(lines=[line]),
            {"lines": {"0": {"description": UNSTORABLE}}},
        ),
        ("PUT", "/v1/payments/p-1"): (a_payment(method=text), {"method": UNSTORABLE}),
        ("PATCH", "/v1/settings"): ({"default_customer_type": text}, None),
        ("PUT", "/v1/status-events"): (
            {"url": "https://firm.example/x", "secret": text * 8},
            {"secret": UNSTORABLE},
        ),
        ("POST", "/v1/accounts/sync"): ({"external_ids": [text]}, None),
    }

    answers = {key: send(client, records, *key, json=body) for key, (body, _) in sends.items()}

    for key, (_, errors) in sends.items():
        answer = answers[key]
        assert answer.status_code == 422, (key, answer.json)
        if errors is not None:
            assert answer.json["errors"] == {"json": errors}, key
        assert "json" in answer.json["errors"], key
    assert snapshot(services) == before


def test_a_query_argument_holding_nul_is_refused_by_name(client: FlaskClient, firm: Firm) -> None:
    # (A lone surrogate cannot reach a query: the URL is UTF-8, and undecodable bytes become
    # U+FFFD.)
    for path, argument in [("/v1/invoices", "account_id"), ("/v1/payments", "invoice_id")]:
        answer = client.get(path, query_string={argument: NUL}, headers=auth(firm))

        assert answer.status_code == 422, answer.json
        assert answer.json["errors"] == {"query": {argument: UNSTORABLE}}


def test_a_path_naming_text_the_store_cannot_hold_names_no_record(
    client: FlaskClient, firm: Firm
) -> None:
    for path in ["/v1/accounts/a%00b", "/v1/invoices/a%00b/history", "/v1/jobs/a%00b"]:
        assert client.get(path, headers=auth(firm)).status_code == 404, path
    assert (
        client.put("/v1/accounts/a%00b", json={"name": "x"}, headers=auth(firm)).status_code == 404
    )


def test_a_body_nested_too_deep_to_read_is_refused_as_not_json(
    client: FlaskClient, firm: Firm
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    writes = [
        ("PUT", "/v1/accounts/c-1"),
        ("PUT", "/v1/invoices/i-1"),
        ("PATCH", "/v1/settings"),
        ("POST", "/v1/accounts/c-1/unsync"),  # takes no body: not read as fields
    ]

    answers = [
        send(client, firm, method, path, data=deep, content_type="application/json")
        for method, path in writes
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400, 404]
    assert answers[0].json["errors"] == {"json": ["Invalid JSON body."]}


# Size limits


def test_a_body_over_1_mib_is_refused_with_413_in_the_error_shape(
    client: FlaskClient, services: Services, records: Firm
) -> None:
    before = snapshot(services)
    body = b'{"name": "' + b"x" * MiB + b'"}'
    writes = [("PUT", "/v1/accounts/c-9"), ("PUT", "/v1/invoices/i-9"), ("PATCH", "/v1/settings")]

    answers = [
        send(client, records, method, path, data=body, content_type="application/json")
        for method, path in writes
    ]

    for answer in answers:
        assert answer.status_code == 413
        assert answer.json == {
            "code": 413,
            "status": "Request Entity Too Large",
            "message": "The request body is larger than the 1048576 bytes (1 MiB) a request "
            "may send.",
            "errors": {},
        }
    assert snapshot(services) == before


def test_a_body_just_under_1_mib_is_read(client: FlaskClient, firm: Firm) -> None:
    body = b'{"name": "' + b"x" * (MiB - 100) + b'"}'

    answer = client.put(
        "/v1/accounts/c-9", data=body, content_type="application/json", headers=auth(firm)
    )

    assert answer.status_code == 422  # read, and refused for its length, not its size
    assert "name" in answer.json["errors"]["json"]


# Regressions schemathesis found


def test_a_key_id_beyond_an_sql_integer_is_not_found(client: FlaskClient, firm: Firm) -> None:
    answer = client.delete("/v1/api-keys/99999999999999999999", headers=auth(firm))

    assert answer.status_code == 404


def test_a_page_beyond_the_last_possible_one_is_refused(client: FlaskClient, firm: Firm) -> None:
    for path in ["/v1/accounts", "/v1/invoices", "/v1/payments"]:
        answer = client.get(f"{path}?page={MAX_PAGE + 1}", headers=auth(firm))

        assert answer.status_code == 422, answer.json
        assert list(answer.json["errors"]["query"]) == ["page"]
        assert client.get(f"{path}?page={MAX_PAGE}", headers=auth(firm)).status_code == 200


def test_a_method_the_path_does_not_take_is_refused_with_allow(
    client: FlaskClient, firm: Firm
) -> None:
    answer = client.delete("/v1/accounts", headers=auth(firm))

    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert set(answer.json) == {"code", "status", "message", "errors"}
