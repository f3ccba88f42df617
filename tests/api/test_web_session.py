"""The web page's sign-in: an API key, a signed session cookie, CSRF on every POST, a revoked
key's session ended at its next request, the key's rate limit, and the secret key."""

from __future__ import annotations

import pytest

from core.bootstrap import Services
from core.config import Settings
from core.domain.status import SyncStatus
from core.errors import ConfigurationError
from core.services.accounts import get_account, put_account
from core.services.firms import api_keys_of, revoke_api_key
from tests.api.web import SECRET_KEY, csrf_token, post_form, sign_in, web_app
from tests.conftest import Firm


def cookie_of(answer: object) -> str:
    cookies = [v for k, v in answer.headers.items() if k == "Set-Cookie"]  # type: ignore[attr-defined]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_pages_send_a_visitor_without_a_session_to_sign_in(services: Services) -> None:
    client = web_app(services).test_client()

    page = client.get("/app/accounts?status=failed")
    live = client.get("/app/live", headers={"Accept": "application/json"})

    assert page.status_code == 303
    assert page.headers["Location"] == "/app/sign-in?next=/app/accounts?status%3Dfailed"
    assert live.status_code == 401 and live.json["sign_in"] == "/app/sign-in"


def test_an_active_key_signs_in_with_an_http_only_lax_cookie_for_the_page_alone(
    services: Services, firm: Firm
) -> None:
    client = web_app(services).test_client()
    token = csrf_token(client)

    answer = client.post(
        "/app/sign-in",
        data={"csrf_token": token, "api_key": f"  {firm.api_key} ", "next": "/app/invoices"},
    )

    assert answer.status_code == 303 and answer.headers["Location"] == "/app/invoices"
    cookie = cookie_of(answer)
    assert cookie.startswith("qbsync_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # plain HTTP to localhost: the browser could not send it
    assert firm.api_key not in cookie  # the session holds the key's id, never the key
    assert client.get("/app/accounts").status_code == 200


@pytest.mark.parametrize("base_url", ["https://qbsync.example", "http://qbsync.example"])
def test_the_cookie_is_secure_anywhere_but_plain_http_to_loopback(
    services: Services, firm: Firm, base_url: str
) -> None:
    client = web_app(services).test_client()

    page = client.get("/app/sign-in", base_url=base_url)

    assert "Secure" in cookie_of(page)


def test_a_wrong_key_or_none_does_not_sign_in(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    token = csrf_token(client)

    wrong = client.post("/app/sign-in", data={"csrf_token": token, "api_key": "qbs_nope"})
    empty = client.post("/app/sign-in", data={"csrf_token": token, "api_key": " "})

    assert wrong.status_code == 401
    assert "That API key is not valid or has been revoked." in wrong.get_data(as_text=True)
    assert empty.status_code == 401 and "Enter an API key." in empty.get_data(as_text=True)
    assert client.get("/app/accounts").status_code == 303


def test_a_revoked_key_s_session_ends_at_its_next_request(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    sign_in(client, firm.api_key)
    (key,) = api_keys_of(services.uow(), firm.id)
    assert key.id is not None

    revoke_api_key(services.uow(), firm.id, key.id, services.clock())
    page = client.get("/app/accounts")

    assert page.status_code == 303 and page.headers["Location"].startswith("/app/sign-in")
    sign_in_page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "its API key was revoked" in sign_in_page
    assert client.get("/app/accounts").status_code == 303  # the session is gone for good


def test_signing_out_ends_the_session(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    token = sign_in(client, firm.api_key)

    answer = post_form(client, "/app/sign-out", token)

    assert answer.status_code == 303 and answer.headers["Location"] == "/app/sign-in"
    assert client.get("/app/accounts").status_code == 303
    assert "You are signed out." in client.get("/app/sign-in").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_post_without_the_session_s_csrf_token_is_refused_and_changes_nothing(
    services: Services, firm: Firm, token: str | None
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars", services.clock())
    client = web_app(services).test_client()
    sign_in(client, firm.api_key)

    form = {} if token is None else {"csrf_token": token}
    answer = client.post("/app/accounts/c-1/unsync", data=form)

    assert answer.status_code == 400
    assert "The form was refused" in answer.get_data(as_text=True)
    assert get_account(services.uow(), firm.id, "c-1").status is SyncStatus.NOT_SYNCED


def test_sign_in_itself_needs_the_csrf_token(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()

    answer = client.post("/app/sign-in", data={"api_key": firm.api_key})

    assert answer.status_code == 400
    assert client.get("/app/accounts").status_code == 303


def test_a_token_of_another_session_is_refused(services: Services, firm: Firm) -> None:
    app = web_app(services)
    theirs, mine = app.test_client(), app.test_client()
    their_token = sign_in(theirs, firm.api_key)
    sign_in(mine, firm.api_key)

    assert post_form(mine, "/app/sign-out", their_token).status_code == 400


def test_the_json_api_takes_no_csrf_token(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    headers = {"Authorization": f"Bearer {firm.api_key}"}

    put = client.put("/v1/accounts/c-1", json={"name": "Cool Cars"}, headers=headers)
    unsync = client.post("/v1/accounts/c-1/unsync", headers=headers)

    assert (put.status_code, unsync.status_code) == (201, 200)
    assert "Set-Cookie" not in unsync.headers  # the API never starts a session


def test_sign_in_sends_back_to_pages_of_the_web_page_only(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    elsewhere = ["https://evil.example/app/", "//evil.example/app/", "/v1/accounts", "/app\\x"]

    for target in elsewhere:
        token = csrf_token(client)
        form = {"csrf_token": token, "api_key": firm.api_key, "next": target}
        answer = client.post("/app/sign-in", data=form)
        assert answer.headers["Location"] == "/app/accounts", target


def test_the_page_s_requests_count_against_the_key_s_rate_limit(
    services: Services, firm: Firm
) -> None:
    client = web_app(services, api_rate_limit="4 per hour").test_client()
    sign_in(client, firm.api_key)  # the sign-in and the page read for its token: 2
    api = client.get("/v1/accounts", headers={"Authorization": f"Bearer {firm.api_key}"})  # 3

    allowed = client.get("/app/invoices")  # 4
    refused = client.get("/app/accounts")

    assert (api.status_code, allowed.status_code, refused.status_code) == (200, 200, 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many requests with this API key" in refused.get_data(as_text=True)


def test_without_a_secret_key_the_page_is_off_and_the_api_on(
    services: Services, firm: Firm
) -> None:
    client = web_app(services, secret_key=None).test_client()

    page = client.get("/app/sign-in")
    api = client.get("/v1/accounts", headers={"Authorization": f"Bearer {firm.api_key}"})

    assert page.status_code == 503
    assert "QBSYNC_SECRET_KEY is not set" in page.get_data(as_text=True)
    assert api.status_code == 200


def test_a_short_secret_key_stops_the_app_from_starting(services: Services) -> None:
    with pytest.raises(ConfigurationError, match="QBSYNC_SECRET_KEY must be at least 32"):
        web_app(services, secret_key="too-short")


def test_the_secret_key_comes_from_the_environment_and_is_never_shown() -> None:
    configured = Settings.from_env({"QBSYNC_SECRET_KEY": f"  {SECRET_KEY} "})

    assert configured.secret_key == SECRET_KEY
    assert SECRET_KEY not in repr(configured)
    assert Settings.from_env({}).secret_key is None
    assert Settings.from_env({"QBSYNC_SECRET_KEY": "  "}).secret_key is None


def test_a_tampered_session_cookie_is_no_session(services: Services, firm: Firm) -> None:
    client = web_app(services).test_client()
    sign_in(client, firm.api_key)
    cookie = client.get_cookie("qbsync_session", path="/app")
    assert cookie is not None
    payload, _, signature = cookie.value.partition(".")
    other = "eyJmaXJtX2lkIjoyLCJrZXlfaWQiOjJ9"  # {"firm_id":2,"key_id":2}, unsigned
    client.set_cookie("qbsync_session", f"{other}.{signature}", path="/app")

    assert payload != other
    assert client.get("/app/accounts").status_code == 303
