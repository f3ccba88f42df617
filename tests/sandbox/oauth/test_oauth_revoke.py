"""The revoke endpoint: any token of the app disconnects it from the company."""

from __future__ import annotations

import pytest

from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import CLIENT_ID, REVOKE_PATH, OAuthCalls, basic
from tests.sandbox.qbo_calls import REALM_ID, sample


@pytest.mark.parametrize("form", [False, True])
def test_revoking_the_refresh_token_kills_it_and_the_access_token(
    oauth: OAuthCalls, form: bool
) -> None:
    answer = oauth.connect()

    response = oauth.revoke(answer["refresh_token"], form=form)

    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["intuit_tid"]
    assert oauth.api(answer["access_token"]).status_code == 401
    assert oauth.refresh(answer["refresh_token"]).get_json() == sample("oauth_invalid_grant.json")


@pytest.mark.parametrize("form", [False, True])
def test_revoking_the_access_token_kills_the_refresh_token_too(
    oauth: OAuthCalls, form: bool
) -> None:
    answer = oauth.connect()

    assert oauth.revoke(answer["access_token"], form=form).status_code == 200

    assert oauth.api(answer["access_token"]).status_code == 401
    assert oauth.refresh(answer["refresh_token"]).status_code == 400


def test_revoke_disconnects_every_connection_of_the_app_with_that_company(
    oauth: OAuthCalls,
) -> None:
    first, second = oauth.connect(), oauth.connect()
    pending = oauth.code()

    oauth.revoke(first["refresh_token"])

    assert oauth.api(second["access_token"]).status_code == 401
    assert oauth.refresh(second["refresh_token"]).status_code == 400
    assert oauth.exchange(pending).status_code == 400


def test_revoke_leaves_other_apps_and_other_companies_connected(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    state.add_oauth_client("ABother", "other-secret", ["https://other.example.com/cb"])
    other_app = oauth.code(client_id="ABother", redirect_uri="https://other.example.com/cb")
    form = {
        "grant_type": "authorization_code",
        "code": other_app,
        "redirect_uri": "https://other.example.com/cb",
    }
    theirs = oauth.token(form, auth=basic("ABother", "other-secret")).get_json()
    ours = oauth.connect()

    oauth.revoke(ours["refresh_token"])

    assert oauth.api(theirs["access_token"]).status_code == 200
    assert oauth.api("test-never-issued").status_code == 401


def test_revoke_needs_the_apps_credentials(oauth: OAuthCalls) -> None:
    answer = oauth.connect()

    response = oauth.revoke(answer["refresh_token"], auth=basic(CLIENT_ID, "wrong"))

    assert (response.status_code, response.get_json()) == (401, sample("oauth_invalid_client.json"))
    assert oauth.api(answer["access_token"]).status_code == 200


def test_revoking_an_unknown_token_answers_200_and_changes_nothing(oauth: OAuthCalls) -> None:
    answer = oauth.connect()

    response = oauth.revoke("AB11763660000NeverIssued")

    assert response.status_code == 200
    assert oauth.api(answer["access_token"]).status_code == 200


def test_an_app_cannot_revoke_another_apps_token(state: SandboxState, oauth: OAuthCalls) -> None:
    state.add_oauth_client("ABother", "other-secret", ["https://other.example.com/cb"])
    answer = oauth.connect()

    response = oauth.revoke(answer["refresh_token"], auth=basic("ABother", "other-secret"))

    assert response.status_code == 200
    assert oauth.api(answer["access_token"]).status_code == 200


def test_revoke_without_a_token_is_invalid_request(oauth: OAuthCalls) -> None:
    response = oauth.client.post(REVOKE_PATH, json={}, headers={"Authorization": basic()})

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_a_hand_issued_token_dies_when_revoked_through_the_state(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = state.issue_access_token(REALM_ID, "hand-issued")

    revoked = state.revoke_token(token)

    assert revoked
    assert oauth.api(token).status_code == 401
    assert not state.revoke_token(token)
