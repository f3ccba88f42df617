"""The userinfo endpoint: the consenting user's profile, as far as the OpenID scopes reach."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode

from flask.testing import FlaskClient

from sandbox.oauth.userinfo import SANDBOX_USER_SUB
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import ACCOUNTING, OAuthCalls

USERINFO = "/v1/openid_connect/userinfo"


def userinfo(client: FlaskClient, token: str) -> tuple[int, object]:
    response = client.get(USERINFO, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_openid_alone_gives_the_subject_only(oauth: OAuthCalls) -> None:
    token = oauth.connect("openid")["access_token"]

    assert userinfo(oauth.client, token) == (200, {"sub": SANDBOX_USER_SUB})


def test_each_openid_scope_adds_its_claims_in_intuits_spelling(oauth: OAuthCalls) -> None:
    token = oauth.connect(f"openid profile email phone address {ACCOUNTING}")["access_token"]

    status, profile = userinfo(oauth.client, token)

    assert status == 200
    assert isinstance(profile, dict)
    assert set(profile) == {
        "sub",
        "givenName",
        "familyName",
        "email",
        "emailVerified",
        "phoneNumber",
        "phoneNumberVerified",
        "address",
    }
    assert set(profile["address"]) == {
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
    }


def test_the_subject_is_the_id_tokens(oauth: OAuthCalls) -> None:
    answer = oauth.connect("openid")
    part = answer["id_token"].split(".")[1]
    claims = json.loads(urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    assert userinfo(oauth.client, answer["access_token"])[1] == {"sub": claims["sub"]}


def test_a_token_without_openid_is_refused_with_403(oauth: OAuthCalls) -> None:
    token = oauth.connect()["access_token"]

    assert userinfo(oauth.client, token) == (403, {"error": "insufficient_scope"})


def test_an_expired_or_unknown_token_gets_the_gateway_401(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect("openid")["access_token"]
    state.clock.advance(3600)

    expired_status, expired = userinfo(oauth.client, token)
    unknown_status, _ = userinfo(oauth.client, "never-issued")
    missing = oauth.client.get(USERINFO)

    assert (expired_status, unknown_status, missing.status_code) == (401, 401, 401)
    assert isinstance(expired, dict)
    assert expired["fault"]["error"][0]["detail"].startswith("Token expired")
