"""GET/PUT/DELETE /v1/status-events: where the firm's own system hears of status changes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from core.services.accounts import account_history
from core.services.firms import create_firm
from core.services.status_events import queue_status_event_deliveries, status_event_subscription
from tests.api.conftest import auth
from tests.conftest import Firm
from tests.fakes import RecordingDispatcher

PATH = "/v1/status-events"
URL = "https://firm.example/qbsync-events"
SECRET = "sixteen-chars-ok"


@pytest.fixture
def firm(services: Services) -> Firm:
    """A firm with an API key; no QBO connection is needed here."""
    firm_id, key = create_firm(services.uow(), "Firm", services.clock())
    return Firm(id=firm_id, api_key=key)


def an_account_change(client: FlaskClient, firm: Firm, external_id: str) -> None:
    client.put(f"/v1/accounts/{external_id}", json={"name": "Client"}, headers=auth(firm))
    client.post(f"/v1/accounts/{external_id}/unsync", headers=auth(firm))


def stored_secret(services: Services, firm: Firm) -> str:
    sealed = status_event_subscription(services.uow(), firm.id).sealed_secret
    return services.vault.open(sealed)


def test_a_firm_without_a_subscription_reads_404(client: FlaskClient, firm: Firm) -> None:
    answer = client.get(PATH, headers=auth(firm))
    assert answer.status_code == 404
    assert set(answer.json) == {"code", "status", "message", "errors"}


def test_a_put_creates_then_replaces_and_never_shows_the_secret(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    an_account_change(client, firm, "a-1")  # before the subscription: not replayed
    last_before = account_history(services.uow(), firm.id, "a-1")[-1].id

    created = client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm))

    assert created.status_code == 201, created.json
    assert created.json["url"] == URL
    assert created.json["delivered_through"] == last_before
    assert (created.json["attempts"], created.json["last_error"]) == (0, None)
    assert "secret" not in created.json and "sealed_secret" not in created.json
    shown = client.get(PATH, headers=auth(firm))
    assert shown.status_code == 200
    assert shown.json == created.json
    assert SECRET not in shown.get_data(as_text=True)

    replaced = client.put(PATH, json={"url": URL + "/v2"}, headers=auth(firm))

    assert replaced.status_code == 200
    assert replaced.json["url"] == URL + "/v2"
    assert replaced.json["delivered_through"] == last_before
    assert "secret" not in replaced.json
    assert stored_secret(services, firm) == SECRET  # no secret given: it is kept


def test_a_secret_left_out_on_create_is_generated_and_shown_only_then(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    created = client.put(PATH, json={"url": URL}, headers=auth(firm))

    assert created.status_code == 201
    secret = created.json["secret"]
    assert len(secret) >= 32
    assert stored_secret(services, firm) == secret
    assert "secret" not in client.get(PATH, headers=auth(firm)).json
    again = client.put(PATH, json={"url": URL}, headers=auth(firm))
    assert again.status_code == 200 and "secret" not in again.json
    assert stored_secret(services, firm) == secret


def test_a_new_secret_replaces_the_old_one(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm))
    client.put(PATH, json={"url": URL, "secret": "a-brand-new-secret"}, headers=auth(firm))
    assert stored_secret(services, firm) == "a-brand-new-secret"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://firm.example/events", "secret": SECRET}, "url"),
        ({"url": "firm.example/events", "secret": SECRET}, "url"),
        ({"url": "https://", "secret": SECRET}, "url"),
        ({"url": "https:///events", "secret": SECRET}, "url"),
        ({"url": "https://firm.example/" + "x" * 2000, "secret": SECRET}, "url"),
        ({"url": 42, "secret": SECRET}, "url"),
        ({"secret": SECRET}, "url"),
        ({"url": URL, "secret": "fifteen-chars!!"}, "secret"),
        ({"url": URL, "secret": "x" * 201}, "secret"),
        ({"url": URL, "secret": SECRET, "events": ["account"]}, "events"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_is_written(
    client: FlaskClient, firm: Firm, body: dict[str, Any], field: str
) -> None:
    answer = client.put(PATH, json=body, headers=auth(firm))

    assert answer.status_code == 422
    assert field in answer.json["errors"]["json"]
    assert client.get(PATH, headers=auth(firm)).status_code == 404


def test_bad_input_leaves_a_subscription_as_it_was(client: FlaskClient, firm: Firm) -> None:
    before = client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm)).json

    refused = client.put(PATH, json={"url": "mailto:ops@firm.example"}, headers=auth(firm))

    assert refused.status_code == 422
    assert client.get(PATH, headers=auth(firm)).json == before


def test_delete_stops_the_events_and_can_be_repeated(client: FlaskClient, firm: Firm) -> None:
    client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm))

    assert client.delete(PATH, headers=auth(firm)).status_code == 204
    assert client.get(PATH, headers=auth(firm)).status_code == 404
    assert client.delete(PATH, headers=auth(firm)).status_code == 204


def test_another_firms_subscription_is_invisible_and_untouchable(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    other_id, other_key = create_firm(services.uow(), "Other firm", services.clock())
    other = Firm(id=other_id, api_key=other_key)
    client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm))

    assert client.get(PATH, headers=auth(other)).status_code == 404
    assert client.delete(PATH, headers=auth(other)).status_code == 204
    assert client.get(PATH, headers=auth(firm)).json["url"] == URL


def test_a_delivery_job_reads_back_as_a_job_of_the_firm(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    client.put(PATH, json={"url": URL, "secret": SECRET}, headers=auth(firm))
    an_account_change(client, firm, "a-1")
    dispatcher = RecordingDispatcher()
    queue_status_event_deliveries(services.uow(), dispatcher, services.clock())

    [job_id] = dispatcher.sent
    job = client.get(f"/v1/jobs/{job_id}", headers=auth(firm))

    assert job.status_code == 200
    assert job.json["kind"] == "deliver_status_events"
    assert job.json["target"] == {"type": "status_events", "external_id": str(firm.id)}


def test_status_events_need_an_api_key(client: FlaskClient) -> None:
    assert client.get(PATH).status_code == 401
    assert client.put(PATH, json={"url": URL}).status_code == 401
    assert client.delete(PATH).status_code == 401


def test_the_openapi_document_describes_the_status_events(client: FlaskClient) -> None:
    operations = client.get("/openapi.json").json["paths"][PATH]
    assert set(operations) >= {"get", "put", "delete"}
