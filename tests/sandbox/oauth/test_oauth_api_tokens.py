"""Bearer tokens on the API: an OAuth access token lives an hour; the gateway's 401 after."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import DAY, T0, OAuthCalls
from tests.sandbox.qbo_calls import REALM_ID, sample


def test_an_access_token_works_for_3600_seconds_then_gets_the_gateway_401(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["access_token"]
    state.clock.advance(3599)
    last_second = oauth.api(token)
    state.clock.advance(1)

    expired = oauth.api(token)

    assert last_second.status_code == 200
    assert expired.status_code == 401
    body, expected = expired.get_json(), sample("fault_authentication.json")
    assert list(body) == list(expected)
    assert body["fault"]["error"][0]["detail"].startswith("Token expired: ")
    assert {k: v for k, v in body["fault"]["error"][0].items() if k != "detail"} == {
        k: v for k, v in expected["fault"]["error"][0].items() if k != "detail"
    }
    assert body["time"] == int((T0 + timedelta(hours=1)).timestamp() * 1000)


def test_expired_revoked_and_unknown_tokens_get_distinct_details(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    expired = oauth.connect()["access_token"]
    state.clock.advance(3600)
    revoked = state.issue_access_token(REALM_ID, "revoked-by-hand")
    state.revoke_token(revoked)
    fresh = oauth.connect()["access_token"]

    def detail(token: str) -> str:
        text: str = oauth.api(token).get_json()["fault"]["error"][0]["detail"]
        return text

    assert detail(expired) == f"Token expired: {expired[:4]}xxxxxxxx"
    assert detail(revoked) == "Token invalid"
    assert detail("never-issued") == "Token invalid"
    assert oauth.api(fresh).status_code == 200


def test_a_token_of_one_company_is_invalid_for_another(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    state.add_realm("other")
    token = oauth.connect()["access_token"]

    response = oauth.api(token, "other")

    assert response.status_code == 401
    assert response.get_json()["fault"]["error"][0]["detail"] == "Token invalid"


def test_with_the_xml_switch_an_expired_token_gets_the_xml_fault(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["access_token"]
    state.options = SandboxOptions(auth_fault="xml")
    state.clock.advance(3600)

    response = oauth.api(token)

    assert response.status_code == 401
    assert '<Fault type="AuthenticationFault">' in response.get_data(as_text=True)


def test_the_demo_token_stays_valid_for_years() -> None:
    state = SandboxState(now=lambda: T0)
    seed_demo_company(state)
    calls = OAuthCalls(create_app(state).test_client())

    state.clock.advance(10 * 365 * DAY)

    assert calls.api(DEMO_ACCESS_TOKEN, DEMO_REALM_ID).status_code == 200


def test_a_hand_issued_token_with_an_expiry_dies_on_time(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = state.issue_access_token(REALM_ID, expires_in=60)
    state.clock.advance(59)
    before = state.token_is_valid(REALM_ID, token)
    state.clock.advance(1)

    assert before
    assert not state.token_is_valid(REALM_ID, token)
    assert oauth.api(token).get_json()["fault"]["error"][0]["detail"].startswith("Token expired")


def test_one_token_cannot_be_handed_to_two_companies(state: SandboxState) -> None:
    state.add_realm("other")
    state.issue_access_token(REALM_ID, "shared")

    with pytest.raises(ValueError, match="already issued"):
        state.issue_access_token("other", "shared")


def test_a_token_cannot_be_issued_for_an_unknown_company(state: SandboxState) -> None:
    with pytest.raises(KeyError):
        state.issue_access_token("404")
