"""Helpers for the sandbox's tests: QBO calls through the Flask test client, and samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

REALM_ID = "123146096291789"
TOKEN = "test-access-token"
SAMPLES = Path(__file__).parent.parent / "fixtures" / "qbo_samples"


def sample(name: str) -> Any:
    """The QBO sample payload `name` from tests/fixtures/qbo_samples."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


class QboCalls:
    """Calls to one realm of the sandbox as a QBO client makes them, through the test client."""

    def __init__(self, client: FlaskClient, realm_id: str = REALM_ID, token: str = TOKEN) -> None:
        self.client = client
        self.base = f"/v3/company/{realm_id}"
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def query(self, statement: str) -> TestResponse:
        """POST a query statement as application/text, as python-quickbooks does."""
        return self.client.post(
            f"{self.base}/query",
            data=statement.encode(),
            headers={**self.headers, "Content-Type": "application/text"},
            query_string={"minorversion": "75"},
        )

    def rows(self, statement: str) -> list[dict[str, Any]]:
        """The rows a successful query answers (empty for an empty QueryResponse)."""
        response = self.query(statement)
        assert response.status_code == 200, response.get_json()
        answer: dict[str, Any] = response.get_json()["QueryResponse"]
        return next((v for k, v in answer.items() if isinstance(v, list)), [])

    def post(self, entity: str, body: Any, **params: str) -> TestResponse:
        """POST a JSON body to /<entity> with these query parameters."""
        return self.client.post(
            f"{self.base}/{entity}",
            json=body,
            headers=self.headers,
            query_string={"minorversion": "75", **params},
        )

    def get(self, path: str, **params: str) -> TestResponse:
        """GET a path under the realm."""
        return self.client.get(f"{self.base}/{path}", headers=self.headers, query_string=params)

    def create_customer(self, display_name: str, **fields: Any) -> dict[str, Any]:
        """Create a customer and return it, failing the test if QBO would refuse it."""
        return self.create("Customer", {"DisplayName": display_name, **fields})

    def create(self, entity: str, body: dict[str, Any], **params: str) -> dict[str, Any]:
        """POST a write of `entity` and return the entity answered, failing on a fault."""
        response = self.post(entity.lower(), body, **params)
        assert response.status_code == 200, response.get_json()
        written: dict[str, Any] = response.get_json()[entity]
        return written

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """GET one entity by Id and return it, failing on a fault."""
        response = self.get(f"{entity.lower()}/{entity_id}")
        assert response.status_code == 200, response.get_json()
        row: dict[str, Any] = response.get_json()[entity]
        return row


def fault_of(response: TestResponse) -> dict[str, Any]:
    """The single error entry of a fault answer."""
    body = response.get_json()
    errors: list[dict[str, Any]] = body["Fault"]["Error"]
    assert len(errors) == 1
    return errors[0]


def shape(value: Any) -> Any:
    """The skeleton of a JSON value: keys of dicts, first item of lists, type of scalars."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def missing_from(answer: Any, expected: Any, path: str = "") -> list[str]:
    """Where `answer` lacks a field of `expected` or has another type there (empty: none).

    For samples that show only some of an entity's fields (Intuit's batch sample, say).
    """
    if isinstance(expected, dict):
        if not isinstance(answer, dict):
            return [f"{path or '.'}: object expected"]
        return [
            problem
            for key, value in expected.items()
            for problem in (
                missing_from(answer[key], value, f"{path}.{key}")
                if key in answer
                else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(answer, list) or (expected and not answer):
            return [f"{path}: list expected"]
        return [p for a, e in zip(answer, expected, strict=False) for p in missing_from(a, e, path)]
    return (
        []
        if shape(answer) == shape(expected)
        else [f"{path}: {shape(answer)} != {shape(expected)}"]
    )
