"""Helpers for the OAuth tests: the calls an app makes to Intuit's OAuth server, and samples."""

from __future__ import annotations

from base64 import b64encode
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.sandbox.qbo_calls import REALM_ID

CLIENT_ID = "ABk2mB4nExampleClientId0000000000000000000000000"
CLIENT_SECRET = "ExampleClientSecret000000000000000000000"
REDIRECT_URI = "https://app.example.com/qbo/callback"
ACCOUNTING = "com.intuit.quickbooks.accounting"
T0 = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
DAY = 86400
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
HARD_EXPIRY = {"x-include-refresh-token-hard-expires-in": "true"}


def basic(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> str:
    """The HTTP Basic header value for these client credentials."""
    return "Basic " + b64encode(f"{client_id}:{client_secret}".encode()).decode()


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect's Location."""
    return dict(parse_qsl(urlsplit(location).query))


class OAuthCalls:
    """An app's OAuth calls to the sandbox through the Flask test client, Intuit's way."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def authorize(self, **params: str) -> TestResponse:
        """GET the authorize endpoint; unset parameters take the app's usual values."""
        defaults = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "scope": ACCOUNTING,
            "redirect_uri": REDIRECT_URI,
            "state": "security_token138r5719ru3e1",
        }
        return self.client.get("/connect/oauth2", query_string={**defaults, **params})

    def code(self, **params: str) -> str:
        """The code of a consent that succeeds."""
        response = self.authorize(**params)
        assert response.status_code == 302, response.get_data(as_text=True)
        return query_of(response.headers["Location"])["code"]

    def token(
        self, form: dict[str, str], headers: dict[str, str] | None = None, auth: str | None = None
    ) -> TestResponse:
        """POST a form to the token endpoint with HTTP Basic client credentials."""
        sent = {"Accept": "application/json", "Authorization": auth or basic(), **(headers or {})}
        return self.client.post(TOKEN_PATH, data=form, headers=sent)

    def exchange(
        self, code: str, redirect_uri: str = REDIRECT_URI, headers: dict[str, str] | None = None
    ) -> TestResponse:
        """Trade a code for tokens."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return self.token(form, headers)

    def connect(self, scope: str = ACCOUNTING) -> dict[str, Any]:
        """Consent and exchange the code; return the token answer."""
        response = self.exchange(self.code(scope=scope))
        assert response.status_code == 200, response.get_json()
        answer: dict[str, Any] = response.get_json()
        return answer

    def refresh(self, refresh_token: str, headers: dict[str, str] | None = None) -> TestResponse:
        """Trade a refresh token for fresh tokens."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self.token(form, headers)

    def refreshed(self, refresh_token: str) -> dict[str, Any]:
        """The answer of a refresh that succeeds."""
        response = self.refresh(refresh_token)
        assert response.status_code == 200, response.get_json()
        answer: dict[str, Any] = response.get_json()
        return answer

    def revoke(self, token: str, *, form: bool = False, auth: str | None = None) -> TestResponse:
        """POST a token to the revoke endpoint, as JSON (intuitlib) or as a form."""
        headers = {"Accept": "application/json", "Authorization": auth or basic()}
        if form:
            return self.client.post(REVOKE_PATH, data={"token": token}, headers=headers)
        return self.client.post(REVOKE_PATH, json={"token": token}, headers=headers)

    def api(self, access_token: str, realm_id: str = REALM_ID) -> TestResponse:
        """Query the company's customers with `access_token`."""
        return self.client.get(
            f"/v3/company/{realm_id}/query",
            query_string={"query": "select * from Customer", "minorversion": "75"},
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
