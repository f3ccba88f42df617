"""The accounts endpoints: create, read, list, sync, and everything a caller gets wrong."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.adapters.db.tables import accounts, jobs, status_changes
from core.bootstrap import Services
from tests.api.conftest import auth, queued_messages
from tests.conftest import Firm, Sandbox, connected_firm
from tests.factories import count_rows


def put(client: FlaskClient, firm: Firm, external_id: str, name: str) -> dict:
    response = client.put(f"/v1/accounts/{external_id}", json={"name": name}, headers=auth(firm))
    assert response.status_code in (200, 201), response.json
    return response.json


def row_counts(services: Services) -> tuple[int, int, int]:
    counts = count_rows(services, accounts, jobs, status_changes)
    return counts["accounts"], counts["jobs"], counts["status_changes"]


def test_put_creates_then_updates_an_account(client: FlaskClient, firm: Firm) -> None:
    created = client.put("/v1/accounts/c-1", json={"name": "Jane Doe"}, headers=auth(firm))
    assert created.status_code == 201
    assert created.json["status"] == "not_synced"
    assert created.json["qbo_customer_id"] is None

    renamed = client.put("/v1/accounts/c-1", json={"name": "Jane Q. Doe"}, headers=auth(firm))
    assert renamed.status_code == 200
    assert renamed.json["name"] == "Jane Q. Doe"
    assert client.get("/v1/accounts/c-1", headers=auth(firm)).json["name"] == "Jane Q. Doe"


def test_sync_answers_202_with_the_job_and_the_account_shows_syncing_at_once(
    client: FlaskClient, firm: Firm, broker: object
) -> None:
    put(client, firm, "c-1", "Jane Doe")

    response = client.post("/v1/accounts/c-1/sync", headers=auth(firm))

    assert response.status_code == 202
    job = response.json
    assert job["kind"] == "sync_account"
    assert job["state"] == "queued"
    assert job["target"] == {"type": "account", "external_id": "c-1"}
    assert client.get("/v1/accounts/c-1", headers=auth(firm)).json["status"] == "syncing"
    assert client.get(f"/v1/jobs/{job['id']}", headers=auth(firm)).json["id"] == job["id"]
    assert queued_messages(broker) == 1


def test_the_list_filters_by_status_and_pages(client: FlaskClient, firm: Firm) -> None:
    for n in range(5):
        put(client, firm, f"c-{n}", f"Client {n}")
    client.post("/v1/accounts/c-3/sync", headers=auth(firm))

    page = client.get("/v1/accounts?page=2&page_size=2", headers=auth(firm)).json
    assert [a["external_id"] for a in page["items"]] == ["c-2", "c-3"]
    assert (page["total"], page["page"], page["page_size"]) == (5, 2, 2)

    syncing = client.get("/v1/accounts?status=syncing", headers=auth(firm)).json
    assert [a["external_id"] for a in syncing["items"]] == ["c-3"]
    assert syncing["total"] == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/accounts", None),
        ("get", "/v1/accounts/c-1", None),
        ("put", "/v1/accounts/c-1", {"name": "X"}),
        ("post", "/v1/accounts/c-1/sync", None),
        ("post", "/v1/accounts/c-1/unsync", None),
        ("get", "/v1/accounts/c-1/history", None),
        ("get", "/v1/accounts/summary", None),
        ("get", "/v1/jobs/00000000-0000-0000-0000-000000000000", None),
    ],
)
@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_without_a_valid_key_every_endpoint_answers_401_and_writes_nothing(
    client: FlaskClient,
    services: Services,
    firm: Firm,
    method: str,
    path: str,
    body: dict | None,
    header: str | None,
) -> None:
    headers = {"Authorization": header} if header else {}
    response = getattr(client, method)(path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401
    assert response.json["status"] == "Unauthorized"
    assert response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(services) == (0, 0, 0)


def test_another_firms_records_answer_404_and_stay_unchanged(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    put(client, firm, "c-1", "Jane Doe")
    job_id = client.post("/v1/accounts/c-1/sync", headers=auth(firm)).json["id"]
    other = connected_firm(services, sandbox, "Other firm")
    before = row_counts(services)

    for method, path in [
        ("get", "/v1/accounts/c-1"),
        ("post", "/v1/accounts/c-1/sync"),
        ("post", "/v1/accounts/c-1/unsync"),
        ("get", "/v1/accounts/c-1/history"),
        ("get", f"/v1/jobs/{job_id}"),
    ]:
        response = getattr(client, method)(path, headers=auth(other))
        assert response.status_code == 404, path
        assert response.json["code"] == 404
        assert "Jane" not in response.get_data(as_text=True)
    assert client.get("/v1/accounts", headers=auth(other)).json["total"] == 0
    assert client.get("/v1/accounts/summary", headers=auth(other)).json["total"] == 0
    assert row_counts(services) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 501}, "name"),
        ({"name": "Ok", "colour": "red"}, "colour"),
    ],
)
def test_a_malformed_body_answers_422_with_field_errors_and_writes_nothing(
    client: FlaskClient, services: Services, firm: Firm, body: dict, field: str
) -> None:
    response = client.put("/v1/accounts/c-1", json=body, headers=auth(firm))
    assert response.status_code == 422
    assert response.json["code"] == 422
    assert field in response.json["errors"]["json"]
    assert row_counts(services) == (0, 0, 0)


def test_a_body_that_is_not_json_is_refused_without_a_write(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    response = client.put(
        "/v1/accounts/c-1",
        data="{not json",
        headers={**auth(firm), "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert row_counts(services) == (0, 0, 0)


def test_bad_list_arguments_answer_422(client: FlaskClient, firm: Firm) -> None:
    for query in ["status=bogus", "page=0", "page_size=1000", "sort=name"]:
        response = client.get(f"/v1/accounts?{query}", headers=auth(firm))
        assert response.status_code == 422, query


def test_unknown_sync_options_are_refused_not_ignored(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    put(client, firm, "c-1", "Jane Doe")
    response = client.post("/v1/accounts/c-1/sync", json={"customer": "7"}, headers=auth(firm))
    assert response.status_code == 422
    assert row_counts(services)[1] == 0


def test_an_unknown_account_or_job_answers_404(client: FlaskClient, firm: Firm) -> None:
    assert client.get("/v1/accounts/none", headers=auth(firm)).status_code == 404
    assert client.post("/v1/accounts/none/sync", headers=auth(firm)).status_code == 404
    assert client.get("/v1/jobs/nope", headers=auth(firm)).status_code == 404
