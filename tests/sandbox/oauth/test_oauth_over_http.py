"""OAuth over loopback against SandboxServer: Intuit's documented steps, then authlib's client.

Nothing here is sandbox-specific beyond the base URL and the app's keys.
"""

from __future__ import annotations

import warnings
from base64 import b64encode
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox.seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REALM_ID,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

with warnings.catch_warnings():
    # authlib >= 1.8 warns once, at import, that it prefers httpx2 to httpx, and installs an
    # "always" filter for its own warnings first; qbsync uses httpx, so hush exactly that one.
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client

REDIRECT_URI = "http://localhost:5000/callback"
ACCOUNTING = "com.intuit.quickbooks.accounting"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    state = SandboxState()
    seed_demo_company(state)
    seed_demo_oauth_client(state, [REDIRECT_URI])
    with SandboxServer(state) as running:
        yield running


def customers(base: str, realm_id: str, access_token: str) -> httpx.Response:
    """The API call an app makes with its new token: a customer query."""
    return httpx.get(
        f"{base}/v3/company/{realm_id}/query",
        params={"query": "select * from Customer", "minorversion": "75"},
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )


def test_the_authorization_code_flow_as_intuit_documents_it_ends_in_an_api_call(
    server: SandboxServer,
) -> None:
    base = server.url
    # Step 1: send the user to the authorization endpoint.
    authorize_url = f"{base}/connect/oauth2?" + urlencode(
        {
            "client_id": DEMO_CLIENT_ID,
            "response_type": "code",
            "scope": ACCOUNTING,
            "redirect_uri": REDIRECT_URI,
            "state": "security_token138r5719ru3e1",
        }
    )
    consent = httpx.get(authorize_url, follow_redirects=False)
    assert consent.status_code == 302
    callback = consent.headers["Location"]
    assert callback.startswith(REDIRECT_URI + "?")
    params = dict(parse_qsl(urlsplit(callback).query))
    assert params["state"] == "security_token138r5719ru3e1"
    assert params["realmId"] == DEMO_REALM_ID

    # Step 2: exchange the code at the token endpoint, with HTTP Basic client authentication.
    credentials = b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    token_headers = {
        "Accept": "application/json",
        "Authorization": f"Basic {credentials}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    exchange = httpx.post(
        f"{base}/oauth2/v1/tokens/bearer",
        headers=token_headers,
        content=urlencode(
            {
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": REDIRECT_URI,
            }
        ),
    )
    assert exchange.status_code == 200
    assert exchange.headers["intuit_tid"]
    tokens = exchange.json()
    assert (tokens["token_type"], tokens["expires_in"]) == ("bearer", 3600)
    assert tokens["x_refresh_token_expires_in"] == 8726400

    # Step 3: call the API for the realm the redirect named.
    answer = customers(base, params["realmId"], tokens["access_token"])
    assert answer.status_code == 200
    assert len(answer.json()["QueryResponse"]["Customer"]) == 9

    # Step 4: refresh, then revoke; the app is disconnected.
    refreshed = httpx.post(
        f"{base}/oauth2/v1/tokens/bearer",
        headers=token_headers,
        content=urlencode(
            {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        ),
    ).json()
    assert customers(base, DEMO_REALM_ID, refreshed["access_token"]).status_code == 200
    revoke = httpx.post(
        f"{base}/v2/oauth2/tokens/revoke",
        headers={**token_headers, "Content-Type": "application/json"},
        json={"token": refreshed["refresh_token"]},
    )
    assert revoke.status_code == 200
    assert customers(base, DEMO_REALM_ID, refreshed["access_token"]).status_code == 401


def test_authlib_connects_refreshes_and_revokes_with_the_discovery_documents_endpoints(
    server: SandboxServer,
) -> None:
    document = httpx.get(f"{server.url}/.well-known/openid_sandbox_configuration").json()
    client = OAuth2Client(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        scope=f"{ACCOUNTING} openid email",
        redirect_uri=REDIRECT_URI,
    )
    url, state = client.create_authorization_url(document["authorization_endpoint"])
    callback = httpx.get(url, follow_redirects=False).headers["Location"]
    realm_id = dict(parse_qsl(urlsplit(callback).query))["realmId"]

    token = client.fetch_token(
        document["token_endpoint"], authorization_response=callback, state=state
    )

    assert customers(server.url, realm_id, token["access_token"]).status_code == 200
    api = f"{server.url}/v3/company/{realm_id}/query"
    query = {"query": "select count(*) from Customer", "minorversion": "75"}
    count = client.get(api, params=query, headers={"Accept": "application/json"})
    assert count.json()["QueryResponse"] == {"totalCount": 9}
    keys = KeySet.import_key_set(httpx.get(document["jwks_uri"]).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert (claims["iss"], claims["aud"]) == (document["issuer"], [DEMO_CLIENT_ID])
    assert client.get(document["userinfo_endpoint"]).json()["email"]

    refreshed = client.refresh_token(document["token_endpoint"])
    assert refreshed["refresh_token"] == token["refresh_token"]  # within 24 h: the same one
    assert refreshed["access_token"] != token["access_token"]

    revoked = client.revoke_token(document["revocation_endpoint"], token=refreshed["refresh_token"])
    assert revoked.status_code == 200
    assert client.get(api, params=query).status_code == 401
