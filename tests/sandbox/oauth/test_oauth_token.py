"""The token endpoint's authorization-code grant: answers as Intuit's samples, and refusals."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode
from typing import Any

import pytest

from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import (
    ACCOUNTING,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TOKEN_PATH,
    OAuthCalls,
    basic,
)
from tests.sandbox.qbo_calls import REALM_ID, sample

JSON_TYPE = "application/json;charset=UTF-8"


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """A decoded JSON part (0: header, 1: claims) of a compact JWT."""
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_a_code_exchange_answers_the_fields_of_intuits_sample_in_its_order(
    oauth: OAuthCalls,
) -> None:
    expected = sample("token_response.json")
    del expected["id_token"]  # present only when openid was asked for

    response = oauth.exchange(oauth.code())

    assert response.status_code == 200
    answer = response.get_json()
    assert list(answer) == list(expected)
    assert {k: type(v) for k, v in answer.items()} == {k: type(v) for k, v in expected.items()}
    for field in ("token_type", "expires_in", "x_refresh_token_expires_in"):
        assert answer[field] == expected[field]


def test_token_answers_carry_an_intuit_tid_json_and_no_store(oauth: OAuthCalls) -> None:
    response = oauth.exchange(oauth.code())

    assert response.headers["intuit_tid"]
    assert response.headers["Content-Type"] == JSON_TYPE
    assert response.headers["Cache-Control"] == "no-store"


def test_the_access_token_is_shaped_like_intuits_jwe(oauth: OAuthCalls) -> None:
    answer = oauth.connect()

    access = answer["access_token"]
    assert access.startswith(sample("token_response.json")["access_token"].split(".")[0] + "..")
    assert len(access.split(".")) == 5
    assert answer["refresh_token"].startswith("AB1")


def test_the_new_access_token_calls_the_connected_companys_api(oauth: OAuthCalls) -> None:
    answer = oauth.connect()

    assert oauth.api(answer["access_token"]).status_code == 200


def test_with_openid_the_answer_has_every_field_of_the_sample_and_a_signed_id_token(
    oauth: OAuthCalls,
) -> None:
    expected = sample("token_response.json")

    answer = oauth.connect(f"{ACCOUNTING} openid")

    assert list(answer) == list(expected)
    header, claims = jwt_part(answer["id_token"], 0), jwt_part(answer["id_token"], 1)
    assert header["alg"] == "RS256"
    assert header["kid"]
    assert claims["aud"] == [CLIENT_ID]
    assert claims["realmid"] == REALM_ID
    assert claims["iss"] == "http://localhost/op/v1"
    assert claims["exp"] - claims["iat"] == 3600
    assert set(claims) == {"sub", "aud", "realmid", "auth_time", "iss", "exp", "iat"}


def test_an_id_token_returns_the_nonce_of_the_authorize_request(oauth: OAuthCalls) -> None:
    code = oauth.code(scope="openid", nonce="n-0S6_WzA2Mj")

    answer = oauth.exchange(code).get_json()

    assert jwt_part(answer["id_token"], 1)["nonce"] == "n-0S6_WzA2Mj"
    assert "realmid" not in jwt_part(answer["id_token"], 1)


def test_a_code_works_only_once(oauth: OAuthCalls) -> None:
    code = oauth.code()
    first = oauth.exchange(code)

    second = oauth.exchange(code)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.get_json() == sample("oauth_invalid_grant.json")
    assert oauth.api(first.get_json()["access_token"]).status_code == 200


def test_a_code_lives_five_minutes(state: SandboxState, oauth: OAuthCalls) -> None:
    in_time, too_late = oauth.code(), oauth.code()

    state.clock.advance(299)
    accepted = oauth.exchange(in_time)
    state.clock.advance(1)
    refused = oauth.exchange(too_late)

    assert accepted.status_code == 200
    assert (refused.status_code, refused.get_json()) == (400, sample("oauth_invalid_grant.json"))


@pytest.mark.parametrize(
    ("redirect_uri", "error"),
    [
        (REDIRECT_URI + "/", "invalid_grant"),
        ("https://app.example.com/other", "invalid_grant"),
        ("", "invalid_request"),
    ],
)
def test_a_redirect_uri_other_than_the_authorize_calls_is_refused(
    oauth: OAuthCalls, redirect_uri: str, error: str
) -> None:
    response = oauth.exchange(oauth.code(), redirect_uri=redirect_uri)

    assert response.status_code == 400
    assert response.get_json()["error"] == error


def test_a_wrong_redirect_uri_is_invalid_grant_and_uses_the_code_up(oauth: OAuthCalls) -> None:
    code = oauth.code()

    wrong = oauth.exchange(code, redirect_uri="https://app.example.com/other")
    retry = oauth.exchange(code)

    assert wrong.get_json() == sample("oauth_invalid_grant.json")
    assert retry.status_code == 400


def test_an_unknown_code_is_invalid_grant(oauth: OAuthCalls) -> None:
    response = oauth.exchange("AB11763660000NotAnIssuedCode")

    assert (response.status_code, response.get_json()) == (400, sample("oauth_invalid_grant.json"))


def test_another_apps_code_is_invalid_grant(state: SandboxState, oauth: OAuthCalls) -> None:
    state.add_oauth_client("ABother", "other-secret", [REDIRECT_URI])
    code = oauth.code()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    response = oauth.token(form, auth=basic("ABother", "other-secret"))

    assert (response.status_code, response.get_json()) == (400, sample("oauth_invalid_grant.json"))


@pytest.mark.parametrize(
    "authorization",
    [
        basic(CLIENT_ID, "wrong-secret"),
        basic("ABunknown", CLIENT_SECRET),
        basic(CLIENT_ID, ""),
        f"Bearer {CLIENT_SECRET}",
        "Basic not-base64!",
        "Basic " + "Zm9v",  # "foo": no colon
    ],
)
def test_bad_client_credentials_get_401_invalid_client(
    oauth: OAuthCalls, authorization: str
) -> None:
    code = oauth.code()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    response = oauth.token(form, auth=authorization)

    assert response.status_code == 401
    assert response.get_json() == sample("oauth_invalid_client.json")
    assert response.headers["intuit_tid"]
    assert response.headers["Content-Type"] == JSON_TYPE


def test_a_bad_client_does_not_use_the_code_up(oauth: OAuthCalls) -> None:
    code = oauth.code()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    oauth.token(form, auth=basic(CLIENT_ID, "wrong-secret"))

    assert oauth.exchange(code).status_code == 200


def test_a_request_without_client_credentials_gets_401(oauth: OAuthCalls) -> None:
    form = {"grant_type": "authorization_code", "code": oauth.code(), "redirect_uri": REDIRECT_URI}

    response = oauth.client.post(TOKEN_PATH, data=form)

    assert (response.status_code, response.get_json()) == (401, {"error": "invalid_client"})


def test_client_credentials_in_the_form_are_accepted(oauth: OAuthCalls) -> None:
    form = {
        "grant_type": "authorization_code",
        "code": oauth.code(),
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }

    response = oauth.client.post(TOKEN_PATH, data=form)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "u", "password": "p"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
def test_missing_parameters_and_other_grant_types_are_refused_with_400(
    oauth: OAuthCalls, form: dict[str, str], error: str
) -> None:
    response = oauth.token(form)

    assert response.status_code == 400
    assert response.get_json()["error"] == error
