"""Intuit's OAuth 2.0 server through authlib: consent URL, code exchange, refresh, revoke.

The endpoints come from the discovery document (Intuit's production one by default, the
bundled sandbox's in the embedded system and the tests), so one setting points qbsync at
another server. authlib does the token dance; no token ever reaches a log line or an error.
"""

from __future__ import annotations

import warnings
from typing import Any

import httpx

from core.adapters.qbo.oauth_parsing import parse_oauth_error, parse_token_answer
from core.adapters.tls import tls_context
from core.domain.qbo import QboTokens
from core.errors import ConfigurationError, QboAuthenticationError, QboTransientError

with warnings.catch_warnings():
    # authlib >= 1.8 announces, once at import, that it prefers httpx2; qbsync runs on httpx.
    # Its own "always" filter comes with authlib.deprecate, so the "ignore" goes after it.
    import authlib.deprecate  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
# Asks the token endpoint for the seconds left before the 5-year cap (shared/qbo, OAuth).
HARD_EXPIRY_HEADER = {"x-include-refresh-token-hard-expires-in": "true"}


class AuthlibOAuthProvider:
    """The OAuthProvider port over authlib's httpx client."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        discovery_url: str,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._discovery_url = discovery_url
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds))
        self._client = OAuth2Client(
            client_id,
            client_secret,
            scope=ACCOUNTING_SCOPE,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method="client_secret_basic",
            timeout=self._timeout,
            verify=tls_context(),
        )
        self._endpoints: dict[str, Any] | None = None
        self._configured = bool(client_id and client_secret)

    def authorization_url(self, state: str) -> str:
        """Intuit's consent page for this app, carrying `state`."""
        if not self._configured:
            raise ConfigurationError(
                "QBO_CLIENT_ID and QBO_CLIENT_SECRET are not set: add the app's keys from "
                "Intuit's developer portal to connect QuickBooks."
            )
        url, _ = self._client.create_authorization_url(
            self._endpoint("authorization_endpoint"), state=state
        )
        return str(url)

    def exchange_code(self, code: str) -> QboTokens:
        """Trade an authorization code for tokens."""
        return self._tokens(
            lambda: self._client.fetch_token(
                self._endpoint("token_endpoint"),
                grant_type="authorization_code",
                code=code,
                headers=HARD_EXPIRY_HEADER,
            )
        )

    def refresh(self, refresh_token: str) -> QboTokens:
        """New tokens for a refresh token (QBO may hand the same refresh token back)."""
        return self._tokens(
            lambda: self._client.refresh_token(
                self._endpoint("token_endpoint"),
                refresh_token=refresh_token,
                headers=HARD_EXPIRY_HEADER,
            )
        )

    def revoke(self, token: str) -> None:
        """Revoke a token: Intuit then disconnects the app from the company."""
        self._call(
            lambda: self._client.revoke_token(self._endpoint("revocation_endpoint"), token=token)
        )

    def _endpoint(self, name: str) -> str:
        if self._endpoints is None:
            self._endpoints = self._call(
                lambda: httpx.get(self._discovery_url, timeout=self._timeout).raise_for_status()
            ).json()
        return str(self._endpoints[name])

    def _tokens(self, request: Any) -> QboTokens:
        return parse_token_answer(self._call(request))

    @staticmethod
    def _call(request: Any) -> Any:
        try:
            return request()
        except OAuthError as exc:  # invalid_grant, invalid_client …: only a reconnect helps
            raise parse_oauth_error({"error": exc.error}) from None
        except httpx.HTTPStatusError as exc:
            error = QboTransientError if exc.response.status_code >= 500 else QboAuthenticationError
            raise error(
                f"Intuit's OAuth server answered HTTP {exc.response.status_code}",
                http_status=exc.response.status_code,
                intuit_tid=exc.response.headers.get("intuit_tid"),
            ) from None
        except httpx.TransportError as exc:
            raise QboTransientError(
                f"Intuit's OAuth server could not be reached: {exc!r}"
            ) from None
