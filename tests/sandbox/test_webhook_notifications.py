"""Changes made through the API are notified to the configured webhook endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from sandbox.state import SandboxState
from tests.http_server import serving
from tests.sandbox.books import an_invoice, an_item, versioned
from tests.sandbox.qbo_calls import REALM_ID, QboCalls


@pytest.fixture
def endpoint() -> Iterator[tuple[list[object], str]]:
    received: list[object] = []
    lock = threading.Lock()
    app = Flask("app-endpoint")

    @app.post("/hook")
    def hook() -> str:
        with lock:
            received.extend(json.loads(request.get_data()))
        return ""

    with serving(app) as url:
        yield received, f"{url}/hook"


def configure(client: FlaskClient, url: str) -> None:
    body = {"targets": [url], "verifier_token": "vt", "schedule_scale": 0.001}
    assert client.put("/_sandbox/webhooks", json=body).status_code == 200


def test_api_writes_after_configuration_are_notified_in_order(
    state: SandboxState,
    client: FlaskClient,
    qbo: QboCalls,
    endpoint: tuple[list[dict[str, str]], str],
) -> None:
    received, url = endpoint
    before = qbo.create_customer("Before Configuration")
    configure(client, url)
    customer = qbo.create_customer("Notified Client")
    invoice = an_invoice(qbo, customer["Id"], an_item(qbo)["Id"])
    qbo.post("invoice", versioned(invoice), operation="delete")

    assert state.webhooks is not None and state.webhooks.wait_until_delivered(timeout=10)
    seen = [(e["type"], e["intuitentityid"]) for e in received]
    assert seen == [
        ("qbo.customer.created.v1", customer["Id"]),
        ("qbo.item.created.v1", seen[1][1]),
        ("qbo.invoice.created.v1", invoice["Id"]),
        ("qbo.invoice.deleted.v1", invoice["Id"]),
    ]
    assert before["Id"] not in {e["intuitentityid"] for e in received if "customer" in e["type"]}
    assert all(e["intuitaccountid"] == REALM_ID for e in received)


def test_a_ui_merge_is_notified_with_the_merged_away_id(
    state: SandboxState,
    client: FlaskClient,
    qbo: QboCalls,
    endpoint: tuple[list[dict[str, object]], str],
) -> None:
    received, url = endpoint
    gone, kept = qbo.create_customer("Old Name"), qbo.create_customer("Kept Name")
    configure(client, url)

    client.post(
        "/_sandbox/merge", json={"realm_id": REALM_ID, "from": gone["Id"], "into": kept["Id"]}
    )

    assert state.webhooks is not None and state.webhooks.wait_until_delivered(timeout=10)
    [merge] = [e for e in received if e["type"] == "qbo.customer.merged.v1"]
    assert merge["intuitentityid"] == kept["Id"]
    assert merge["data"] == {"deletedId": gone["Id"]}


def test_the_controls_show_deliveries_and_refuse_bad_configurations(
    client: FlaskClient, qbo: QboCalls, endpoint: tuple[list[object], str]
) -> None:
    _, url = endpoint
    assert client.put("/_sandbox/webhooks", json={"targets": []}).status_code == 400
    bad_format = {"targets": [url], "verifier_token": "vt", "format": "soap"}
    assert client.put("/_sandbox/webhooks", json=bad_format).status_code == 400
    configure(client, url)
    qbo.create_customer("Delivered")

    shown = client.get("/_sandbox/webhooks").get_json()

    assert shown["configured"] is True
    assert "verifier_token" not in shown
    assert client.delete("/_sandbox/webhooks").get_json() == {"configured": False}
