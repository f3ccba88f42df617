"""Connecting a firm through Intuit's consent (the sandbox's OAuth server), syncing, and
disconnecting, all through the API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from api.app import create_app
from core.adapters.db.tables import qbo_connections
from core.bootstrap import Services, build_services, utc_now
from core.config import Settings
from core.services.firms import create_firm
from core.services.sync_account import Outcome, run_sync_account
from core.services.token_sweep import sweep_tokens
from core.services.tokens import TokenKeeper
from sandbox.seed import DEMO_CLIENT_SECRET, DEMO_REALM_ID
from tests.conftest import (
    TEST_ENCRYPTION_KEY,
    Firm,
    Sandbox,
    built_services,
    sandbox_oauth_settings,
)
from tests.fakes import RecordingDispatcher


@pytest.fixture
def oauth_services(database_url: str, sandbox: Sandbox) -> Iterator[Services]:
    settings = sandbox_oauth_settings(database_url, sandbox)
    with built_services(settings) as built:
        yield built


@pytest.fixture
def unconnected(oauth_services: Services) -> Firm:
    firm_id, key = create_firm(oauth_services.uow(), "Connecting firm", oauth_services.clock())
    return Firm(id=firm_id, api_key=key)


@pytest.fixture
def client(oauth_services: Services) -> FlaskClient:
    return create_app(oauth_services, RecordingDispatcher()).test_client()


def consent(client: FlaskClient, firm: Firm, **extra: str) -> str:
    """Start connecting and follow Intuit's redirect; return the callback's path and query."""
    started = client.post("/v1/connection/authorize", headers=auth(firm))
    assert started.status_code == 200
    url = started.json["authorization_url"]
    redirect = httpx.get(url).headers["location"]
    parts = urlsplit(redirect)
    assert parts.path == "/v1/connection/callback"
    return f"{parts.path}?{parts.query}"


def auth(firm: Firm) -> dict[str, str]:
    return {"Authorization": f"Bearer {firm.api_key}"}


def test_a_firm_connects_through_the_consent_and_its_accounts_sync(
    client: FlaskClient, oauth_services: Services, unconnected: Firm
) -> None:
    assert client.get("/v1/connection", headers=auth(unconnected)).json["connected"] is False

    answer = client.get(consent(client, unconnected))

    assert answer.status_code == 200, answer.json
    assert answer.json["connected"] is True
    assert answer.json["realm_id"] == DEMO_REALM_ID
    shown = client.get("/v1/connection", headers=auth(unconnected)).json
    assert shown["access_expires_at"] < shown["refresh_expires_at"] < shown["hard_expires_at"]
    assert "token" not in str(shown).replace("expires", "")
    client.put("/v1/accounts/a-1", json={"name": "Cool Cars"}, headers=auth(unconnected))
    job = client.post("/v1/accounts/a-1/sync", headers=auth(unconnected)).json
    outcome = run_sync_account(
        oauth_services.uow(), oauth_services.qbo, job["id"], "w", oauth_services.clock
    )
    assert outcome is Outcome.SYNCED


def test_a_consent_link_works_once(client: FlaskClient, unconnected: Firm) -> None:
    callback = consent(client, unconnected)
    assert client.get(callback).status_code == 200
    again = client.get(callback)
    assert again.status_code == 400
    assert "used or expired" in again.json["message"]


def test_a_refused_consent_is_reported_not_a_500(
    client: FlaskClient, unconnected: Firm, sandbox: Sandbox
) -> None:
    sandbox.state.options = type(sandbox.state.options)(consent="deny", throttling=False)

    answer = client.get(consent(client, unconnected))

    assert answer.status_code == 400
    assert "access_denied" in answer.json["message"]
    assert client.get("/v1/connection", headers=auth(unconnected)).json["connected"] is False


def test_an_unknown_state_connects_nothing(client: FlaskClient, oauth_services: Services) -> None:
    answer = client.get("/v1/connection/callback?state=forged&code=abc&realmId=1")
    assert answer.status_code == 400
    with oauth_services.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(qbo_connections)) == 0


def test_disconnect_revokes_at_intuit_and_erases_the_tokens(
    client: FlaskClient, oauth_services: Services, unconnected: Firm, sandbox: Sandbox
) -> None:
    client.get(consent(client, unconnected))
    with oauth_services.uow() as uow:
        connection = uow.connections.for_firm(unconnected.id)
        assert connection is not None
        access_token = oauth_services.vault.open(connection.sealed_access_token)

    assert client.delete("/v1/connection", headers=auth(unconnected)).status_code == 204

    assert client.get("/v1/connection", headers=auth(unconnected)).json["connected"] is False
    assert not sandbox.state.token_is_valid(DEMO_REALM_ID, access_token)
    assert client.delete("/v1/connection", headers=auth(unconnected)).status_code == 409


def test_starting_a_connection_needs_the_api_key(client: FlaskClient) -> None:
    assert client.post("/v1/connection/authorize").status_code == 401
    assert client.get("/v1/connection").status_code == 401


def connected(client: FlaskClient, firm: Firm) -> None:
    assert client.get(consent(client, firm)).status_code == 200


def sync(client: FlaskClient, services: Services, firm: Firm, external_id: str, name: str) -> str:
    client.put(f"/v1/accounts/{external_id}", json={"name": name}, headers=auth(firm))
    job = client.post(f"/v1/accounts/{external_id}/sync", headers=auth(firm)).json
    run_sync_account(services.uow(), services.qbo, job["id"], "w", services.clock)
    account: dict[str, object] = client.get(f"/v1/accounts/{external_id}", headers=auth(firm)).json
    return str(account["status"])


def test_an_access_token_expiring_mid_sync_fails_no_job(
    client: FlaskClient, oauth_services: Services, unconnected: Firm, sandbox: Sandbox
) -> None:
    connected(client, unconnected)
    statuses = [sync(client, oauth_services, unconnected, f"a-{n}", f"Client {n}") for n in (1, 2)]
    sandbox.state.clock.advance(3700)  # QBO's hour is over; qbsync learns it from a 401

    statuses += [sync(client, oauth_services, unconnected, f"a-{n}", f"Client {n}") for n in (3, 4)]

    assert statuses == ["synced"] * 4
    assert client.get("/v1/connection", headers=auth(unconnected)).json["connected"] is True


def test_concurrent_refreshes_collapse_into_one_valid_token_pair(
    client: FlaskClient, oauth_services: Services, unconnected: Firm, sandbox: Sandbox
) -> None:
    connected(client, unconnected)
    with oauth_services.uow() as uow:
        connection = uow.connections.for_firm(unconnected.id)
        assert connection is not None
        stale = oauth_services.vault.open(connection.sealed_access_token)
    results: list[str] = []

    def refresh() -> None:
        # A keeper each, as two worker processes have: only the database can order them.
        keeper = TokenKeeper(
            oauth_services.uow, oauth_services.vault, oauth_services.oauth, utc_now
        )
        results.append(keeper.access_token(unconnected.id, failed=stale))

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and results[0] == results[1] != stale
    assert sandbox.state.token_is_valid(DEMO_REALM_ID, results[0])
    assert sync(client, oauth_services, unconnected, "a-1", "After Refresh") == "synced"


def test_a_revoked_connection_turns_broken_and_its_jobs_fail_with_the_reason(
    client: FlaskClient, oauth_services: Services, unconnected: Firm, sandbox: Sandbox
) -> None:
    connected(client, unconnected)
    with oauth_services.uow() as uow:
        connection = uow.connections.for_firm(unconnected.id)
        assert connection is not None and connection.sealed_refresh_token is not None
        refresh_token = oauth_services.vault.open(connection.sealed_refresh_token)
    assert sandbox.state.revoke_token(refresh_token)  # the firm disconnected the app at Intuit

    status = sync(client, oauth_services, unconnected, "a-1", "Cool Cars")

    assert status == "failed"
    account = client.get("/v1/accounts/a-1", headers=auth(unconnected)).json
    assert account["error"]["message"].startswith("QuickBooks is not connected")
    assert "invalid_grant" in account["error"]["message"]
    shown = client.get("/v1/connection", headers=auth(unconnected)).json
    assert shown["connected"] is False
    assert "reconnect" in shown["broken_reason"]
    assert sync(client, oauth_services, unconnected, "a-2", "Another") == "failed"
    connected(client, unconnected)  # reconnecting lets it sync again
    assert sync(client, oauth_services, unconnected, "a-3", "Third Client") == "synced"


def test_no_token_code_or_secret_reaches_a_log_line_or_the_database(
    client: FlaskClient,
    oauth_services: Services,
    unconnected: Firm,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    callback = consent(client, unconnected)  # the admin's browser: not qbsync's log
    code = parse_qs(urlsplit(callback).query)["code"][0]
    caplog.set_level(logging.DEBUG)  # every logger, every level, from the callback on
    client.get(callback)
    with oauth_services.uow() as uow:
        connection = uow.connections.for_firm(unconnected.id)
        assert connection is not None and connection.sealed_refresh_token is not None
        secrets = [
            code,
            DEMO_CLIENT_SECRET,
            oauth_services.vault.open(connection.sealed_access_token),
            oauth_services.vault.open(connection.sealed_refresh_token),
        ]
    sandbox.state.clock.advance(3700)  # a refresh on the way
    assert sync(client, oauth_services, unconnected, "a-1", "Logged Client") == "synced"
    with oauth_services.engine.connect() as db:
        stored = " ".join(
            str(value) for row in db.execute(sa.select(qbo_connections)) for value in row
        )
    client.delete("/v1/connection", headers=auth(unconnected))

    assert caplog.records, "the run logged nothing: the capture would prove nothing"
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in stored


def test_the_token_sweep_refreshes_a_connection_nearing_its_idle_end_and_warns_of_the_cap(
    client: FlaskClient,
    oauth_services: Services,
    unconnected: Firm,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connected(client, unconnected)
    keeper = TokenKeeper(oauth_services.uow, oauth_services.vault, oauth_services.oauth, utc_now)
    with oauth_services.uow() as uow:
        connection = uow.connections.for_firm(unconnected.id)
        assert connection is not None and connection.refresh_expires_at is not None
        before = connection.sealed_access_token
        soon = connection.refresh_expires_at - timedelta(days=50)  # 50 days of idle life left
        connection.hard_expires_at = soon + timedelta(days=10)
        uow.commit()

    assert sweep_tokens(oauth_services.uow(), keeper, soon) == 1
    assert sweep_tokens(oauth_services.uow(), keeper, soon - timedelta(days=30)) == 0

    with oauth_services.uow() as uow:
        after = uow.connections.for_firm(unconnected.id)
        assert after is not None and after.sealed_access_token != before
    assert "5-year limit" in caplog.text
    shown = client.get("/v1/connection", headers=auth(unconnected)).json
    assert shown["warning"] is None  # the real date is years away; the sweep ran at `soon`


def test_connecting_without_the_apps_keys_says_which_settings_are_missing(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url, encryption_keys=(TEST_ENCRYPTION_KEY,))
    services = build_services(settings)
    _, key = create_firm(services.uow(), "Unconfigured", services.clock())
    client = create_app(services, RecordingDispatcher()).test_client()

    answer = client.post("/v1/connection/authorize", headers={"Authorization": f"Bearer {key}"})

    assert answer.status_code == 503
    assert "QBO_CLIENT_ID" in answer.json["message"]
    services.engine.dispose()
