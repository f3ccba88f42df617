"""/_sandbox controls of the companies: realms with tokens, and what QBO's UI users do."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from flask.testing import FlaskClient

from sandbox.seed import DEMO_ACCESS_TOKEN
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


def test_a_realm_created_over_the_controls_answers_the_api_with_its_token(
    client: FlaskClient,
) -> None:
    created = client.post("/_sandbox/realms", json={"realm_id": "4620816365", "seed": "demo"})
    body = created.get_json()
    qbo = QboCalls(client, body["realm_id"], body["access_token"])

    assert created.status_code == 201
    assert body["api_base"] == "/v3/company/4620816365"
    assert body["access_token"] != DEMO_ACCESS_TOKEN
    assert len(qbo.rows("select * from Customer")) == 9


def test_a_realm_gets_a_random_id_and_token_and_starts_empty_by_default(
    client: FlaskClient, state: SandboxState
) -> None:
    body = client.post("/_sandbox/realms").get_json()

    assert body["realm_id"].isdigit() and len(body["realm_id"]) == 16
    assert state.token_is_valid(body["realm_id"], body["access_token"])
    assert state.customers(body["realm_id"]) == []
    assert body["app"] == "default"


def test_the_demo_without_individual_has_no_individual_type(client: FlaskClient) -> None:
    body = client.post("/_sandbox/realms", json={"seed": "demo-no-individual"}).get_json()
    qbo = QboCalls(client, body["realm_id"], body["access_token"])

    types = [row["Name"] for row in qbo.rows("select * from CustomerType")]
    untyped = [c for c in qbo.rows("select * from Customer") if "CustomerTypeRef" not in c]

    assert types == ["Business"]
    assert len(untyped) == 4


def test_the_colliding_demo_refuses_clients_named_like_its_vendor_and_employee(
    client: FlaskClient,
) -> None:
    body = client.post("/_sandbox/realms", json={"seed": "demo-colliding"}).get_json()
    qbo = QboCalls(client, body["realm_id"], body["access_token"])

    codes = [
        fault_of(qbo.post("customer", {"DisplayName": name}))["code"]
        for name in ("Office Supplies Co", "Emily Platt")
    ]

    assert codes == ["6240", "6240"]
    assert [t["Name"] for t in qbo.rows("select * from CustomerType")] == ["Individual", "Business"]


def test_realms_are_listed(client: FlaskClient) -> None:
    client.post("/_sandbox/realms", json={"realm_id": "42"})

    assert client.get("/_sandbox/realms").get_json() == {"realms": [REALM_ID, "42"]}


def test_a_realm_id_can_be_created_only_once(client: FlaskClient) -> None:
    answer = client.post("/_sandbox/realms", json={"realm_id": REALM_ID})

    assert answer.status_code == 409


def test_an_unknown_seed_is_refused(client: FlaskClient) -> None:
    assert client.post("/_sandbox/realms", json={"seed": "full"}).status_code == 400


def test_a_token_issued_for_another_app_has_limits_of_its_own(
    client: FlaskClient, state: SandboxState
) -> None:
    body = client.post(f"/_sandbox/realms/{REALM_ID}/tokens", json={"app": "reporting"}).get_json()

    assert state.token_is_valid(REALM_ID, body["access_token"])
    assert state.throttle.app_of(body["access_token"]) == "reporting"


def test_a_token_for_an_unknown_realm_is_404(client: FlaskClient) -> None:
    answer = client.post("/_sandbox/realms/nowhere/tokens", json={})

    assert answer.status_code == 404
    assert "unknown realm nowhere" in answer.get_json()["error"]


def test_deactivating_a_customer_as_a_ui_user_needs_no_token_and_bumps_its_synctoken(
    client: FlaskClient, qbo: QboCalls
) -> None:
    customer = qbo.create_customer("Jane Doe", Notes="keep me")

    answer = client.post(f"/_sandbox/realms/{REALM_ID}/customers/{customer['Id']}/deactivate")
    [stored] = qbo.rows("select * from Customer where Active = false")
    stale = qbo.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Notes": "x"},
    )

    assert answer.status_code == 200
    assert answer.get_json()["Customer"]["Active"] is False
    assert (stored["SyncToken"], stored["Notes"]) == ("1", "keep me")
    assert fault_of(stale)["code"] == "5010"


def test_deactivating_an_unknown_customer_is_qbos_610(client: FlaskClient) -> None:
    answer = client.post(f"/_sandbox/realms/{REALM_ID}/customers/99/deactivate")

    assert answer.status_code == 400
    assert fault_of(answer)["code"] == "610"


def test_merge_moves_a_customer_into_another_as_a_ui_user_does(
    state: SandboxState, client: FlaskClient, qbo: QboCalls
) -> None:
    gone = state.add_customer(REALM_ID, DisplayName="Acme (old)")
    kept = state.add_customer(REALM_ID, DisplayName="Acme")

    answer = client.post(
        "/_sandbox/merge", json={"realm_id": REALM_ID, "from": gone["Id"], "into": kept["Id"]}
    )

    assert answer.status_code == 200
    assert answer.get_json()["Customer"]["Id"] == kept["Id"]
    assert fault_of(qbo.get(f"customer/{gone['Id']}"))["code"] == "610"


def test_merge_needs_realm_from_and_into(client: FlaskClient) -> None:
    answer = client.post("/_sandbox/merge", json={"realm_id": REALM_ID, "from": "2"})

    assert answer.status_code == 400
    assert answer.get_json() == {"error": '"into" must be a non-empty string'}


@pytest.fixture
def running(state: SandboxState) -> Iterator[SandboxServer]:
    with SandboxServer(state) as server:
        yield server


def test_a_realm_made_over_real_http_serves_at_once(running: SandboxServer) -> None:
    body = httpx.post(f"{running.url}/_sandbox/realms", json={"seed": "demo"}).json()

    answer = httpx.get(
        f"{running.url}{body['api_base']}/query",
        params={"query": "select count(*) from Customer"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )

    assert answer.json()["QueryResponse"] == {"totalCount": 9}
