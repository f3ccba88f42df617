"""Discovery documents and the JWKS: this host's endpoints, and keys that check ID tokens."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from sandbox.oauth import rsa
from tests.sandbox.oauth.calls import ACCOUNTING, CLIENT_ID, OAuthCalls
from tests.sandbox.qbo_calls import REALM_ID

DISCOVERY_PATHS = [
    "/.well-known/openid_configuration",
    "/.well-known/openid_configuration/",
    "/.well-known/openid_sandbox_configuration",
    "/.well-known/openid_sandbox_configuration/",
]
# The keys of Intuit's own document, in its order.
INTUIT_KEYS = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "revocation_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "scopes_supported",
    "token_endpoint_auth_methods_supported",
    "claims_supported",
]


@pytest.mark.parametrize("path", DISCOVERY_PATHS)
def test_each_discovery_document_lists_this_hosts_endpoints_at_intuits_paths(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["intuit_tid"]
    document = response.get_json()
    assert list(document) == INTUIT_KEYS
    assert {key: document[key] for key in INTUIT_KEYS[:6]} == {
        "issuer": "http://localhost/op/v1",
        "authorization_endpoint": "http://localhost/connect/oauth2",
        "token_endpoint": "http://localhost/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": "http://localhost/v1/openid_connect/userinfo",
        "revocation_endpoint": "http://localhost/v2/oauth2/tokens/revoke",
        "jwks_uri": "http://localhost/op/v1/jwks",
    }
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_endpoints_follow_the_host_the_request_came_to(client: FlaskClient) -> None:
    response = client.get(DISCOVERY_PATHS[2], base_url="http://qbo.sandbox.test:9000")

    document = response.get_json()
    assert document["token_endpoint"] == "http://qbo.sandbox.test:9000/oauth2/v1/tokens/bearer"
    assert document["issuer"] == "http://qbo.sandbox.test:9000/op/v1"


def test_every_listed_endpoint_is_served(client: FlaskClient) -> None:
    document = client.get(DISCOVERY_PATHS[0]).get_json()

    def path(key: str) -> str:
        url: str = document[key]
        return url.removeprefix("http://localhost")

    statuses = {
        "authorize": client.get(path("authorization_endpoint")).status_code,
        "token": client.post(path("token_endpoint")).status_code,
        "revoke": client.post(path("revocation_endpoint")).status_code,
        "userinfo": client.get(path("userinfo_endpoint")).status_code,
        "jwks": client.get(path("jwks_uri")).status_code,
    }
    assert statuses == {"authorize": 400, "token": 401, "revoke": 401, "userinfo": 401, "jwks": 200}


def test_the_jwks_key_verifies_the_id_tokens_signature(oauth: OAuthCalls) -> None:
    id_token = oauth.connect(f"{ACCOUNTING} openid")["id_token"]
    keys = KeySet.import_key_set(oauth.client.get("/op/v1/jwks").get_json())

    claims = jwt.decode(id_token, keys, algorithms=["RS256"]).claims

    assert (claims["aud"], claims["realmid"]) == ([CLIENT_ID], REALM_ID)


def test_an_altered_id_token_fails_verification(oauth: OAuthCalls) -> None:
    header, claims, signature = oauth.connect("openid")["id_token"].split(".")
    forged = f"{header}.{claims[:-4]}AAAA.{signature}"
    keys = KeySet.import_key_set(oauth.client.get("/op/v1/jwks").get_json())

    with pytest.raises(BadSignatureError):
        jwt.decode(forged, keys, algorithms=["RS256"])


def test_the_jwks_lists_one_rs256_signing_key_like_intuits(client: FlaskClient) -> None:
    [key] = client.get("/op/v1/jwks").get_json()["keys"]

    assert (key["kty"], key["use"], key["alg"], key["e"]) == ("RSA", "sig", "RS256", "AQAB")
    assert len(key["kid"]) == 20


def test_concurrent_first_requests_share_one_signing_key() -> None:
    rsa._make_key.cache_clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(lambda _: rsa.sandbox_key(), range(4)))

    assert len({key.kid for key in keys}) == 1
