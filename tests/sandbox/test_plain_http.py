"""Intuit's documented requests, sent as plain HTTP over loopback: nothing sandbox-specific but
the base URL and the token (Done-when 3 of the sandbox issue, with the OAuth flow in
oauth/test_oauth_over_http.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState


@pytest.fixture
def api() -> Iterator[httpx.Client]:
    state = SandboxState()
    seed_demo_company(state)
    with (
        SandboxServer(state) as server,
        httpx.Client(
            base_url=f"{server.url}/v3/company/{DEMO_REALM_ID}",
            headers={"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}", "Accept": "application/json"},
            params={"minorversion": "75"},
        ) as client,
    ):
        yield client


def test_create_query_duplicate_and_batch_as_intuits_reference_shows_them(
    api: httpx.Client,
) -> None:
    created = api.post("/customer", json={"DisplayName": "Plain HTTP Client"})
    assert created.status_code == 200
    assert created.headers["content-type"] == "application/json;charset=UTF-8"
    assert created.headers["intuit_tid"]
    customer = created.json()["Customer"]

    query = "select * from Customer where DisplayName = 'Plain HTTP Client'"
    found = api.get("/query", params={"query": query}).json()["QueryResponse"]
    assert [c["Id"] for c in found["Customer"]] == [customer["Id"]]

    duplicate = api.post("/customer", json={"DisplayName": "Plain HTTP Client"})
    assert duplicate.status_code == 400
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"

    batch = api.post(
        "/batch",
        json={
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch One"}},
                {"bId": "2", "Query": "select count(*) from Customer"},
            ]
        },
    )
    assert batch.status_code == 200
    first, second = batch.json()["BatchItemResponse"]
    assert first["Customer"]["DisplayName"] == "Batch One"
    assert second["QueryResponse"]["totalCount"] >= 11
