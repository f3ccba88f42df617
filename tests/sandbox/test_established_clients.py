"""Intuit's own OAuth client and python-quickbooks, unmodified, against the sandbox.

Nothing here is sandbox-specific beyond what these libraries let any app set: the OAuth
discovery document's URL (their `environment`) and the API's base URL (a class attribute).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # their own imports; not ours to fix
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes
    from quickbooks import QuickBooks
    from quickbooks.batch import batch_create
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects.customer import Customer

from sandbox.seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REALM_ID,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

REDIRECT = "http://localhost:8765/callback"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    state = SandboxState()
    seed_demo_company(state)
    seed_demo_oauth_client(state, [REDIRECT])
    with SandboxServer(state) as running:
        yield running


@pytest.fixture
def auth_client(server: SandboxServer) -> AuthClient:
    """Intuit's OAuth client, through consent and code exchange as an app does it."""
    client = AuthClient(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uri=REDIRECT,
        environment=f"{server.url}/.well-known/openid_sandbox_configuration",
    )
    consent = httpx.get(client.get_authorization_url([Scopes.ACCOUNTING], state_token="xyz"))
    assert consent.status_code == 302
    answer = parse_qs(urlsplit(consent.headers["location"]).query)
    assert answer["state"] == ["xyz"]
    client.get_bearer_token(answer["code"][0], realm_id=answer["realmId"][0])
    assert client.access_token and client.refresh_token
    return client


@pytest.fixture
def quickbooks(
    server: SandboxServer, auth_client: AuthClient, monkeypatch: pytest.MonkeyPatch
) -> QuickBooks:
    monkeypatch.setattr(QuickBooks, "api_url_v3", f"{server.url}/v3")
    # requests-oauthlib's documented switch for plain-HTTP development servers.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return QuickBooks(
        auth_client=auth_client,
        refresh_token=auth_client.refresh_token,
        company_id=auth_client.realm_id,
        minorversion=75,
    )


def test_the_consent_names_the_demo_company(auth_client: AuthClient) -> None:
    assert auth_client.realm_id == DEMO_REALM_ID


def test_a_refresh_through_intuits_client_keeps_the_connection(auth_client: AuthClient) -> None:
    before = auth_client.access_token
    auth_client.refresh()
    assert auth_client.access_token != before
    assert auth_client.x_refresh_token_expires_in > 0


def test_python_quickbooks_creates_and_queries_a_customer(quickbooks: QuickBooks) -> None:
    customer = Customer()
    customer.DisplayName = "Made By python-quickbooks"
    customer.save(qb=quickbooks)
    assert customer.Id

    [found] = Customer.filter(DisplayName="Made By python-quickbooks", qb=quickbooks)
    assert found.Id == customer.Id
    assert Customer.get(customer.Id, qb=quickbooks).DisplayName == "Made By python-quickbooks"


def test_python_quickbooks_reports_a_duplicate_name_with_qbos_code(quickbooks: QuickBooks) -> None:
    customer = Customer()
    customer.DisplayName = "Cool Cars"  # in the demo company
    with pytest.raises(QuickbooksException) as raised:
        customer.save(qb=quickbooks)
    assert str(raised.value.error_code) == "6240"


def test_python_quickbooks_batch_maps_results_and_faults(quickbooks: QuickBooks) -> None:
    fresh, taken = Customer(), Customer()
    fresh.DisplayName = "Batch Newcomer"
    taken.DisplayName = "Cool Cars"

    results = batch_create([fresh, taken], qb=quickbooks)

    assert [c.DisplayName for c in results.successes] == ["Batch Newcomer"]
    [fault] = results.faults
    assert fault.Error[0].code == "6240"
