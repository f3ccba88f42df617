"""/v1/api-keys: a firm makes, lists and revokes its own keys, and no other firm's."""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from api.app import create_app
from core.bootstrap import Services
from core.services.firms import issue_api_key, revoke_api_key
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox, connected_firm
from tests.fakes import RecordingDispatcher


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_new_key_is_shown_once_works_and_once_revoked_is_refused_on_its_next_request(
    client: FlaskClient, firm: Firm
) -> None:
    made = client.post("/v1/api-keys", headers=auth(firm))
    assert made.status_code == 201
    key, key_id = made.json["key"], made.json["id"]
    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 200

    listed = client.get("/v1/api-keys", headers=auth(firm)).json
    revoked = client.delete(f"/v1/api-keys/{key_id}", headers=auth(firm))

    assert [k["prefix"] for k in listed] == [firm.api_key[:12], key[:12]]
    assert all("key" not in k and key not in str(k) for k in listed)  # never shown again
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
    refused = client.get("/v1/accounts", headers=bearer(key))
    assert refused.status_code == 401 and "revoked" in refused.json["message"]
    assert client.get("/v1/accounts", headers=auth(firm)).status_code == 200  # the other one


def test_another_firms_key_is_not_found_and_stays_active(
    client: FlaskClient, services: Services, sandbox: Sandbox, firm: Firm
) -> None:
    other = connected_firm(services, sandbox, "Other firm")
    others = client.get("/v1/api-keys", headers=auth(other)).json
    assert len(others) == 1

    answer = client.delete(f"/v1/api-keys/{others[0]['id']}", headers=auth(firm))

    assert answer.status_code == 404
    assert client.get("/v1/accounts", headers=auth(other)).status_code == 200
    assert client.get("/v1/api-keys", headers=auth(other)).json == others


def test_a_key_revoked_by_another_process_is_refused_on_its_very_next_request(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    stored, key = issue_api_key(services.uow(), firm.id, services.clock())
    assert stored.id is not None
    served = [client.get("/v1/accounts", headers=bearer(key)).status_code for _ in range(2)]

    # As `qbsync firms keys revoke` or another web process does: straight in the store.
    revoke_api_key(services.uow(), firm.id, stored.id, services.clock())

    assert served == [200, 200]
    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 401
    assert client.post("/v1/api-keys", headers=bearer(key)).status_code == 401
    assert client.get("/v1/accounts", headers=auth(firm)).status_code == 200


def test_a_revoked_key_is_refused_with_401_even_while_over_its_rate_limit(
    services: Services, firm: Firm
) -> None:
    limited = replace(services, settings=replace(services.settings, api_rate_limit="1 per hour"))
    client = create_app(limited, RecordingDispatcher()).test_client()
    stored, key = issue_api_key(services.uow(), firm.id, services.clock())
    assert stored.id is not None
    client.get("/v1/accounts", headers=bearer(key))
    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 429

    revoke_api_key(services.uow(), firm.id, stored.id, services.clock())

    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 401
