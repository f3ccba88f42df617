"""The OpenAPI document is complete: every operation tagged, summarised, secured or declared
open, with every error answer it can give in the one Error shape, and examples for the main
operations that match what the API answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.billing import put_account, put_invoice
from tests.api.conftest import auth
from tests.conftest import Firm

METHODS = {"get", "put", "post", "patch", "delete"}
ERROR_SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def label(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def resolved(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """A response object, its `$ref` followed."""
    if "$ref" in response:
        name = response["$ref"].removeprefix("#/components/responses/")
        found: dict[str, Any] = document["components"]["responses"][name]
        return found
    return response


def statuses(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def test_every_operation_has_a_summary_and_described_tags(document: dict[str, Any]) -> None:
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}

    for method, path, operation in operations(document):
        assert operation.get("summary"), label(method, path)
        assert operation.get("tags"), label(method, path)
        assert set(operation["tags"]) <= described, label(method, path)


def test_every_operation_declares_its_security(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A firm's API key",
    }
    for method, path, operation in operations(document):
        assert operation["security"] in ([], [{"bearerAuth": []}]), label(method, path)
    assert "Authorization: Bearer <API key>" in document["info"]["description"]


def test_the_declared_security_is_what_the_api_does(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    """Without a key, an operation that declares the bearer key answers 401 and asks for
    it; an open one does not."""
    for method, path, operation in operations(document):
        url = re.sub(r"\{[a-z_]+\}", lambda name: "1" if "key_id" in name[0] else "x-1", path)

        answer = client.open(url, method=method.upper())

        asks_for_key = answer.status_code == 401 and "WWW-Authenticate" in answer.headers
        assert asks_for_key == (operation["security"] != []), label(method, path)


def test_the_open_operations_are_those_meant_to_be(document: dict[str, Any]) -> None:
    opened = {
        label(method, path) for method, path, op in operations(document) if not op["security"]
    }

    assert opened >= {
        "GET /v1/health",
        "GET /v1/connection/callback",
        "POST /v1/webhooks/quickbooks",
    }
    assert not {name for name in opened if name.startswith(("GET /v1/accounts", "PUT", "PATCH"))}


def test_every_error_answer_is_the_one_error_shape(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == ERROR_SHAPE
    assert set(error["required"]) == ERROR_SHAPE
    assert error["additionalProperties"] is False

    for method, path, operation in operations(document):
        assert "default" not in operation["responses"], label(method, path)
        for status, response in operation["responses"].items():
            if int(status) >= 400 and "Health" not in str(response):
                content = resolved(document, response)["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    f"{label(method, path)} {status}"
                )


def test_every_operation_documents_the_errors_its_shape_implies(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        name, documented = label(method, path), statuses(operation)
        if operation["security"]:
            assert {401, 422, 429} <= documented, name
            unauthorized = resolved(document, operation["responses"]["401"])
            assert unauthorized["headers"]["WWW-Authenticate"]["required"], name
            too_many = resolved(document, operation["responses"]["429"])
            assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer", name
        if "{" in path:
            assert 404 in documented, name
        if "requestBody" in operation:
            assert {400, 413} <= documented, name
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            assert 422 in documented, name


def test_every_answer_schema_requires_the_fields_every_answer_has(
    document: dict[str, Any],
) -> None:
    """So that schemathesis' response check fails on a field an answer leaves out."""
    schemas = document["components"]["schemas"]
    left_out = {"Subscription": {"secret"}}  # the secret is shown only once, when generated

    answered = {
        ref.removeprefix("#/components/schemas/")
        for _, _, operation in operations(document)
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for ref in re.findall(r"#/components/schemas/\w+", str(resolved(document, response)))
    }

    for _ in range(5):  # and the schemas nested in them
        answered |= {
            ref.removeprefix("#/components/schemas/")
            for name in answered
            for ref in re.findall(r"#/components/schemas/\w+", str(schemas[name]))
        }

    assert {"Account", "Job", "SyncError", "Invoice", "InvoiceLine", "Subscription"} <= answered
    for name in answered:
        properties = set(schemas[name]["properties"])
        assert set(schemas[name].get("required", [])) == properties - left_out.get(name, set())


PARTICULAR_ERRORS = {
    "POST /v1/accounts/{external_id}/sync": {409},
    "POST /v1/accounts/sync": {409, 502},
    "GET /v1/accounts/{external_id}/candidates": {409, 502},
    "GET /v1/quickbooks/customers": {409, 502},
    "PUT /v1/invoices/{external_id}": {409},
    "POST /v1/invoices/{external_id}/sync": {409},
    "PUT /v1/payments/{external_id}": {409},
    "POST /v1/payments/{external_id}/sync": {409},
    "DELETE /v1/connection": {409, 502},
    "POST /v1/connection/authorize": {502, 503},
    "GET /v1/connection/callback": {400, 502},
    "GET /v1/status-events": {404},
    "GET /v1/health": {503},
    "POST /v1/webhooks/quickbooks": {400, 401, 503},
}


def test_the_errors_particular_to_an_operation_are_documented(document: dict[str, Any]) -> None:
    for name, expected in PARTICULAR_ERRORS.items():
        method, path = name.split()

        assert expected <= statuses(document["paths"][path][method.lower()]), name


def test_a_body_over_the_limit_is_documented_with_its_limit(document: dict[str, Any]) -> None:
    too_large = document["components"]["responses"]["ContentTooLarge"]

    assert "1 MiB" in too_large["description"]


EXAMPLES = {
    ("put", "/v1/accounts/{external_id}"): ("request", "200"),
    ("get", "/v1/accounts/{external_id}"): ("200",),
    ("post", "/v1/accounts/{external_id}/sync"): ("request", "202"),
    ("post", "/v1/accounts/sync"): ("request", "202"),
    ("put", "/v1/invoices/{external_id}"): ("request", "200"),
    ("put", "/v1/payments/{external_id}"): ("request", "200"),
    ("get", "/v1/jobs/{job_id}"): ("200",),
}


def example(document: dict[str, Any], method: str, path: str, where: str) -> Any:
    operation = document["paths"][path][method]
    holder = operation["requestBody"] if where == "request" else operation["responses"][where]
    return holder["content"]["application/json"]["example"]


def test_the_main_operations_have_examples(document: dict[str, Any]) -> None:
    for (method, path), places in EXAMPLES.items():
        for where in places:
            assert example(document, method, path, where), f"{label(method, path)} {where}"


def test_the_example_answers_have_the_fields_the_api_answers_with(
    client: FlaskClient, firm: Firm, document: dict[str, Any]
) -> None:
    put_account(client, firm, "c-1")
    put_invoice(client, firm, "i-1")
    headers = auth(firm)
    payment = example(document, "put", "/v1/payments/{external_id}", "request")
    answers = {
        ("get", "/v1/accounts/{external_id}"): client.get("/v1/accounts/c-1", headers=headers),
        ("put", "/v1/invoices/{external_id}"): client.get("/v1/invoices/i-1", headers=headers),
        ("put", "/v1/payments/{external_id}"): client.put(
            "/v1/payments/p-1", json=payment, headers=headers
        ),
        ("post", "/v1/accounts/{external_id}/sync"): client.post(
            "/v1/accounts/c-1/sync", headers=headers
        ),
        ("post", "/v1/accounts/sync"): client.post(
            "/v1/accounts/sync", json={"external_ids": ["c-1"]}, headers=headers
        ),
    }

    for (method, path), answer in answers.items():
        status = "202" if method == "post" else "200"
        shown = example(document, method, path, status)
        assert answer.status_code < 300, answer.json
        assert set(answer.json) == set(shown), label(method, path)
