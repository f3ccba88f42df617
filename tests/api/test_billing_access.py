"""Invoices and payments are the firm's own: an API key sees its firm's records, no other's."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from tests.api.billing import (
    a_payment,
    an_invoice,
    put_account,
    put_invoice,
    put_payment,
    row_counts,
)
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox, connected_firm

ONE_RECORD = [
    ("get", "/v1/invoices/i-1"),
    ("delete", "/v1/invoices/i-1"),
    ("post", "/v1/invoices/i-1/sync"),
    ("post", "/v1/invoices/i-1/unsync"),
    ("get", "/v1/invoices/i-1/history"),
    ("get", "/v1/payments/p-1"),
    ("delete", "/v1/payments/p-1"),
    ("post", "/v1/payments/p-1/sync"),
    ("post", "/v1/payments/p-1/unsync"),
    ("get", "/v1/payments/p-1/history"),
]


@pytest.fixture
def records(client: FlaskClient, firm: Firm) -> None:
    """Account c-1 with invoice i-1 and its payment p-1."""
    put_account(client, firm, "c-1")
    put_invoice(client, firm, "i-1")
    put_payment(client, firm, "p-1")


@pytest.mark.usefixtures("records")
def test_another_firms_invoices_and_payments_answer_404_and_stay_unchanged(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    other = connected_firm(services, sandbox, "Other firm")
    before = row_counts(services)

    for method, path in ONE_RECORD:
        answer = getattr(client, method)(path, headers=auth(other))
        assert answer.status_code == 404, (method, path)
        assert answer.json["code"] == 404
        assert "INV-1001" not in answer.get_data(as_text=True)
    # Naming the first firm's account or invoice in a body is naming an unknown record.
    invoice = client.put("/v1/invoices/i-9", json=an_invoice("c-1"), headers=auth(other))
    assert (invoice.status_code, list(invoice.json["errors"]["json"])) == (422, ["account_id"])
    payment = client.put("/v1/payments/p-9", json=a_payment("i-1"), headers=auth(other))
    assert (payment.status_code, list(payment.json["errors"]["json"])) == (422, ["invoice_id"])
    for path in ["/v1/invoices", "/v1/payments", "/v1/invoices/summary", "/v1/payments/summary"]:
        assert client.get(path, headers=auth(other)).json["total"] == 0, path
    assert client.get("/v1/invoices?account_id=c-1", headers=auth(other)).status_code == 422
    assert client.get("/v1/payments?invoice_id=i-1", headers=auth(other)).status_code == 422
    assert row_counts(services) == before
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["status"] == "not_synced"
    assert client.get("/v1/payments/p-1", headers=auth(firm)).json["status"] == "not_synced"


def test_unknown_invoices_and_payments_answer_404(client: FlaskClient, firm: Firm) -> None:
    for method, path in ONE_RECORD:
        answer = getattr(client, method)(path, headers=auth(firm))
        assert answer.status_code == 404, (method, path)
        assert answer.json["message"].startswith("No ")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *ONE_RECORD,
        ("put", "/v1/invoices/i-1"),
        ("put", "/v1/payments/p-1"),
        ("get", "/v1/invoices"),
        ("get", "/v1/payments"),
        ("get", "/v1/invoices/summary"),
        ("get", "/v1/payments/summary"),
    ],
)
def test_every_billing_endpoint_needs_an_api_key(
    client: FlaskClient, services: Services, method: str, path: str
) -> None:
    body = an_invoice() if "invoices" in path else a_payment()
    answer = getattr(client, method)(path, json=body, headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert row_counts(services) == {"invoices": 0, "payments": 0, "jobs": 0, "status_changes": 0}


def test_the_openapi_document_describes_the_billing_endpoints(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").json["paths"]
    for kind in ("invoices", "payments"):
        assert set(paths[f"/v1/{kind}/{{external_id}}"]) >= {"get", "put", "delete"}
        assert "post" in paths[f"/v1/{kind}/{{external_id}}/sync"]
        assert "post" in paths[f"/v1/{kind}/{{external_id}}/unsync"]
        assert "get" in paths[f"/v1/{kind}/{{external_id}}/history"]
        assert "get" in paths[f"/v1/{kind}"]
        assert "get" in paths[f"/v1/{kind}/summary"]
