"""The refresh grant: rolling 101 days, the same token for a day, the old one's grace, the cap."""

from __future__ import annotations

from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import ACCOUNTING, DAY, HARD_EXPIRY, OAuthCalls, basic
from tests.sandbox.qbo_calls import sample

HOUR = 3600
DAYS_101 = 8726400
# T0 (2026-11-20) to 2031-11-20: five calendar years with one 29 February.
FIVE_YEARS = 1826 * DAY


def test_a_refresh_answers_the_fields_of_intuits_sample(oauth: OAuthCalls) -> None:
    expected = sample("token_response.json")
    del expected["id_token"]

    answer = oauth.refreshed(oauth.connect()["refresh_token"])

    assert list(answer) == list(expected)
    assert (answer["token_type"], answer["expires_in"]) == ("bearer", 3600)


def test_a_refresh_with_openid_brings_an_id_token_too(oauth: OAuthCalls) -> None:
    answer = oauth.refreshed(oauth.connect(f"{ACCOUNTING} openid")["refresh_token"])

    assert answer["id_token"].count(".") == 2


def test_a_refresh_within_24_hours_hands_back_the_same_refresh_token_with_less_time_left(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    first = oauth.connect()
    state.clock.advance(5 * HOUR)

    again = oauth.refreshed(first["refresh_token"])

    assert again["refresh_token"] == first["refresh_token"]
    assert again["x_refresh_token_expires_in"] == DAYS_101 - 5 * HOUR
    assert again["access_token"] != first["access_token"]
    assert oauth.api(again["access_token"]).status_code == 200


def test_the_same_refresh_token_comes_back_until_24_hours_after_its_issue(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["refresh_token"]
    state.clock.advance(DAY - 1)
    same = oauth.refreshed(token)["refresh_token"]
    state.clock.advance(1)

    renewed = oauth.refreshed(token)

    assert same == token
    assert renewed["refresh_token"] != token
    assert renewed["x_refresh_token_expires_in"] == DAYS_101


def test_the_replaced_refresh_token_works_for_the_24_hour_grace_then_dies(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    old = oauth.connect()["refresh_token"]
    state.clock.advance(DAY)
    new = oauth.refreshed(old)["refresh_token"]
    state.clock.advance(DAY - 1)

    during_grace = oauth.refreshed(old)
    state.clock.advance(1)
    after_grace = oauth.refresh(old)

    assert during_grace["refresh_token"] == new
    assert (after_grace.status_code, after_grace.get_json()) == (
        400,
        sample("oauth_invalid_grant.json"),
    )
    assert oauth.refresh(new).status_code == 200


def test_with_no_grace_the_replaced_refresh_token_dies_at_once(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    state.options = SandboxOptions(old_refresh_grace=0)
    old = oauth.connect()["refresh_token"]
    state.clock.advance(DAY)
    new = oauth.refreshed(old)["refresh_token"]

    assert oauth.refresh(old).status_code == 400
    assert oauth.refresh(new).status_code == 200


def test_an_unused_refresh_token_dies_101_days_after_its_issue(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    early, late = oauth.connect()["refresh_token"], oauth.connect()["refresh_token"]
    state.clock.advance(DAYS_101 - 1)

    last_second = oauth.refresh(early)
    state.clock.advance(1)
    too_late = oauth.refresh(late)

    assert last_second.status_code == 200
    assert (too_late.status_code, too_late.get_json()) == (400, sample("oauth_invalid_grant.json"))


def test_each_new_refresh_token_restarts_the_101_days(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["refresh_token"]
    left = []
    for _ in range(4):
        state.clock.advance(100 * DAY)
        answer = oauth.refreshed(token)
        token = answer["refresh_token"]
        left.append(answer["x_refresh_token_expires_in"])

    assert left == [DAYS_101] * 4


def test_refresh_tokens_never_outlive_five_years_from_the_connection(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["refresh_token"]
    for _ in range(18):
        state.clock.advance(100 * DAY)
        answer = oauth.refreshed(token)
        token = answer["refresh_token"]
    capped = answer["x_refresh_token_expires_in"]
    state.clock.advance(26 * DAY - 1)
    last = oauth.refreshed(token)
    state.clock.advance(1)

    beyond = oauth.refresh(last["refresh_token"])

    assert capped == FIVE_YEARS - 1800 * DAY
    assert last["x_refresh_token_expires_in"] == 1
    assert (beyond.status_code, beyond.get_json()) == (400, sample("oauth_invalid_grant.json"))


def test_the_hard_expiry_header_adds_the_seconds_left_to_a_code_exchange(
    oauth: OAuthCalls,
) -> None:
    expected = sample("token_response_hard_expiry.json")

    response = oauth.exchange(oauth.code(), headers=HARD_EXPIRY)

    answer = response.get_json()
    assert list(answer) == list(expected)
    assert {k: type(v) for k, v in answer.items()} == {k: type(v) for k, v in expected.items()}
    assert answer["x_refresh_token_hard_expires_in"] == FIVE_YEARS


def test_the_hard_expiry_header_adds_the_seconds_left_to_a_refresh(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    token = oauth.connect()["refresh_token"]
    state.clock.advance(30 * DAY)

    answer = oauth.refresh(token, headers=HARD_EXPIRY).get_json()

    assert answer["x_refresh_token_hard_expires_in"] == FIVE_YEARS - 30 * DAY


def test_without_the_header_or_with_false_there_is_no_hard_expiry(oauth: OAuthCalls) -> None:
    token = oauth.connect()["refresh_token"]
    false = {"x-include-refresh-token-hard-expires-in": "false"}

    plain, refused = oauth.refreshed(token), oauth.refresh(token, headers=false).get_json()

    assert "x_refresh_token_hard_expires_in" not in plain
    assert "x_refresh_token_hard_expires_in" not in refused


def test_another_apps_refresh_token_is_invalid_grant(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    state.add_oauth_client("ABother", "other-secret", ["https://other.example.com/cb"])
    token = oauth.connect()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": token}

    response = oauth.token(form, auth=basic("ABother", "other-secret"))

    assert (response.status_code, response.get_json()) == (400, sample("oauth_invalid_grant.json"))


def test_an_access_token_outlives_a_refresh_until_its_hour_is_up(
    state: SandboxState, oauth: OAuthCalls
) -> None:
    first = oauth.connect()
    state.clock.advance(HOUR / 2)
    second = oauth.refreshed(first["refresh_token"])
    state.clock.advance(HOUR / 2 - 1)
    first_still = oauth.api(first["access_token"]).status_code
    state.clock.advance(1)

    assert first_still == 200
    assert oauth.api(first["access_token"]).status_code == 401
    assert oauth.api(second["access_token"]).status_code == 200
