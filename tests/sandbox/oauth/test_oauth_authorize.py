"""The authorize endpoint: consent given at once, the redirect back, and what Intuit refuses."""

from __future__ import annotations

import pytest

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import (
    ACCOUNTING,
    CLIENT_ID,
    REDIRECT_URI,
    OAuthCalls,
    query_of,
)
from tests.sandbox.qbo_calls import REALM_ID


def test_consent_redirects_to_the_app_with_a_code_its_state_and_the_realm(
    oauth: OAuthCalls,
) -> None:
    response = oauth.authorize(state="csrf-123")

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?code=")
    params = query_of(location)
    assert list(params) == ["code", "state", "realmId"]
    assert params["state"] == "csrf-123"
    assert params["realmId"] == REALM_ID
    assert 0 < len(params["code"]) <= 512
    assert "intuit_tid" in response.headers


def test_every_consent_gets_its_own_code(oauth: OAuthCalls) -> None:
    assert oauth.code() != oauth.code()


def test_an_unknown_client_id_gets_an_error_page_instead_of_a_redirect(oauth: OAuthCalls) -> None:
    response = oauth.authorize(client_id="ABnotARegisteredApp")

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert "client_id" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT_URI + "/",
        REDIRECT_URI.replace("https:", "http:"),
        REDIRECT_URI.upper(),
        REDIRECT_URI + "?next=1",
        "https://evil.example.com/qbo/callback",
        "",
    ],
)
def test_a_redirect_uri_not_registered_character_for_character_gets_an_error_page(
    oauth: OAuthCalls, redirect_uri: str
) -> None:
    response = oauth.authorize(redirect_uri=redirect_uri)

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "redirect_uri" in response.get_data(as_text=True)


def test_a_registered_redirect_uri_with_a_query_keeps_it(state: SandboxState) -> None:
    state.add_oauth_client("ABsecond", "secret", ["https://b.example.com/cb?tenant=7"])
    calls = OAuthCalls(create_app(state).test_client())

    response = calls.authorize(
        client_id="ABsecond", redirect_uri="https://b.example.com/cb?tenant=7"
    )

    params = query_of(response.headers["Location"])
    assert params["tenant"] == "7"
    assert "code" in params


@pytest.mark.parametrize(
    "scope",
    [
        "",
        "com.intuit.quickbooks.payroll",
        "com.intuit.quickbooks.payment",
        f"{ACCOUNTING} com.intuit.quickbooks.unknown",
        "profile email",
        f"{ACCOUNTING},openid",
    ],
)
def test_scopes_intuit_refuses_come_back_as_invalid_scope_with_the_state(
    oauth: OAuthCalls, scope: str
) -> None:
    response = oauth.authorize(scope=scope, state="s1")

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"error": "invalid_scope", "state": "s1"}


@pytest.mark.parametrize(
    "scope",
    [
        ACCOUNTING,
        f"{ACCOUNTING} com.intuit.quickbooks.payment",
        f"openid profile email phone address {ACCOUNTING}",
        f"  {ACCOUNTING}   openid ",
    ],
)
def test_accounting_with_any_known_scopes_gets_a_code_for_the_company(
    oauth: OAuthCalls, scope: str
) -> None:
    response = oauth.authorize(scope=scope)

    assert query_of(response.headers["Location"])["realmId"] == REALM_ID


def test_openid_scopes_alone_sign_the_user_in_without_a_company(oauth: OAuthCalls) -> None:
    params = query_of(oauth.authorize(scope="openid email").headers["Location"])

    assert "code" in params
    assert "realmId" not in params


def test_a_response_type_other_than_code_comes_back_as_unsupported(oauth: OAuthCalls) -> None:
    response = oauth.authorize(response_type="token", state="s2")

    assert query_of(response.headers["Location"]) == {
        "error": "unsupported_response_type",
        "state": "s2",
    }


def test_a_request_without_state_comes_back_as_invalid_request(oauth: OAuthCalls) -> None:
    response = oauth.authorize(state="")

    assert query_of(response.headers["Location"]) == {"error": "invalid_request"}


def test_the_deny_switch_sends_access_denied_with_the_state(state: SandboxState) -> None:
    state.options = SandboxOptions(consent="deny")
    calls = OAuthCalls(create_app(state).test_client())

    response = calls.authorize(state="s3")

    assert query_of(response.headers["Location"]) == {"error": "access_denied", "state": "s3"}


def test_the_consent_realm_switch_picks_the_company_the_app_connects(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    state.add_realm("4620816365178299520")
    state.options = SandboxOptions(consent_realm_id="4620816365178299520")

    answer = oauth.connect()
    realm = query_of(oauth.authorize().headers["Location"])["realmId"]

    assert realm == "4620816365178299520"
    assert oauth.api(answer["access_token"], "4620816365178299520").status_code == 200
    assert oauth.api(answer["access_token"], REALM_ID).status_code == 401


def test_by_default_the_first_realm_is_connected(state: SandboxState, oauth: OAuthCalls) -> None:
    state.add_realm("second")

    assert query_of(oauth.authorize().headers["Location"])["realmId"] == REALM_ID


def test_a_consent_realm_that_does_not_exist_gets_an_error_page(state: SandboxState) -> None:
    state.options = SandboxOptions(consent_realm_id="404")

    response = OAuthCalls(create_app(state).test_client()).authorize()

    assert response.status_code == 400
    assert "404" in response.get_data(as_text=True)


def test_a_sandbox_without_a_company_cannot_connect_one() -> None:
    empty = SandboxState()
    empty.add_oauth_client(CLIENT_ID, "secret", [REDIRECT_URI])

    response = OAuthCalls(create_app(empty).test_client()).authorize()

    assert response.status_code == 400


@pytest.mark.parametrize(("switch", "value"), [("consent", "maybe"), ("old_refresh_grace", -1)])
def test_unknown_consent_answers_and_negative_graces_are_refused(
    switch: str, value: object
) -> None:
    with pytest.raises(ValueError, match=switch):
        SandboxOptions(**{switch: value})  # type: ignore[arg-type]
