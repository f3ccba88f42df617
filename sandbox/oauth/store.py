"""The OAuth token store: registered apps, codes, connections and tokens behind one lock."""

import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sandbox.oauth.clients import OAuthClient
from sandbox.oauth.errors import invalid_client, invalid_grant
from sandbox.oauth.persistence import dump_tokens, load_tokens
from sandbox.oauth.records import (
    ACCESS_LIFETIME,
    CODE_LIFETIME,
    HARD_CAP_YEARS,
    REFRESH_LIFETIME,
    ROTATE_AFTER,
    AccessStatus,
    AccessToken,
    AuthCode,
    Connection,
    Issued,
    RefreshToken,
    add_years,
    new_access_token,
    new_code,
    new_refresh_token,
)
from sandbox.oauth.scopes import ACCOUNTING


class TokenStore:
    """What Intuit's OAuth server knows: which apps exist and which tokens are good until when.

    Thread-safe: one lock guards everything. Time comes from `now`; how long a refresh token
    outlives its successor comes from `grace`, read at each refresh (it is a switch).
    """

    def __init__(self, now: Callable[[], datetime], grace: Callable[[], timedelta]) -> None:
        self._now = now
        self._grace = grace
        self._lock = threading.RLock()
        self._clients: dict[str, OAuthClient] = {}
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._access: dict[str, AccessToken] = {}

    def add_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        """Register an app with its keys and redirect URIs (at least one, as Intuit requires)."""
        if not redirect_uris:
            raise ValueError("an OAuth client needs at least one redirect URI")
        with self._lock:
            if client_id in self._clients:
                raise ValueError(f"OAuth client {client_id} already exists")
            self._clients[client_id] = OAuthClient(client_id, client_secret, tuple(redirect_uris))

    def client(self, client_id: str) -> OAuthClient | None:
        """Return the registered app `client_id`, or None."""
        with self._lock:
            return self._clients.get(client_id)

    def authenticate(self, credentials: tuple[str, str] | None) -> OAuthClient:
        """Return the app these (client_id, client_secret) belong to; 401 invalid_client if none."""
        client = self.client(credentials[0]) if credentials else None
        if client is None or credentials is None:
            raise invalid_client()
        if not secrets.compare_digest(client.client_secret.encode(), credentials[1].encode()):
            raise invalid_client()
        return client

    def issue_code(
        self,
        client: OAuthClient,
        redirect_uri: str,
        realm_id: str | None,
        scopes: frozenset[str],
        nonce: str | None,
    ) -> str:
        """Record the user's consent and return the authorization code that carries it."""
        with self._lock:
            now = self._now()
            value = new_code(now)
            expires_at = now + CODE_LIFETIME
            code = AuthCode(
                value, client.client_id, redirect_uri, realm_id, scopes, expires_at, nonce
            )
            self._codes[value] = code
            return value

    def exchange_code(self, client: OAuthClient, code: str, redirect_uri: str) -> Issued:
        """Trade a code for a new connection's tokens; 400 invalid_grant if it does not hold.

        The first exchange that presents a code uses it up, whether or not it succeeds.
        """
        with self._lock:
            now = self._now()
            record = self._codes.pop(code, None)
            if (
                record is None
                or record.client_id != client.client_id
                or record.redirect_uri != redirect_uri
                or now >= record.expires_at
            ):
                raise invalid_grant()
            hard_expires_at = add_years(now, HARD_CAP_YEARS)
            connection = Connection(
                client.client_id, record.realm_id, record.scopes, now, hard_expires_at
            )
            refresh = self._new_refresh(connection, now)
            return Issued(now, self._new_access(connection, now), refresh, record.nonce)

    def refresh(self, client: OAuthClient, token: str) -> Issued:
        """Trade a refresh token for a new access token and the chain's newest refresh token.

        Within ROTATE_AFTER of its issue the newest refresh token is handed out again, its
        expiry unchanged; after that a successor with a fresh 101 days (never past the hard
        cap) replaces it, and the old one works for the grace period only.
        """
        with self._lock:
            now = self._now()
            record = self._refresh.get(token)
            if (
                record is None
                or record.connection.client_id != client.client_id
                or not record.usable(now, self._grace())
            ):
                raise invalid_grant()
            connection = record.connection
            newest = self._refresh[connection.refresh]
            if now - newest.issued_at >= ROTATE_AFTER:
                newest.superseded_at = now
                newest = self._new_refresh(connection, now)
            return Issued(now, self._new_access(connection, now), newest)

    def revoke(self, client: OAuthClient | None, token: str) -> bool:
        """Disconnect the app `token` belongs to from its company: all their tokens die.

        `client` None (the Python API) may revoke any token, hand-issued ones too. A token that
        is unknown or belongs to another app changes nothing. Returns whether anything died.
        """
        with self._lock:
            refresh, access = self._refresh.get(token), self._access.get(token)
            connection = refresh.connection if refresh else access.connection if access else None
            if connection is None:
                if client is None and access is not None:
                    del self._access[token]
                    return True
                return False
            if client is not None and connection.client_id != client.client_id:
                return False
            self._disconnect(connection.client_id, connection.realm_id)
            return True

    def issue_access_token(
        self, realm_id: str, token: str | None, expires_at: datetime | None
    ) -> str:
        """Make `token` (a random one if None) a bearer token for `realm_id`; return it."""
        with self._lock:
            value = token if token is not None else secrets.token_urlsafe(32)
            known = self._access.get(value)
            if known is not None and known.realm_id != realm_id:
                raise ValueError(f"token {value!r} is already issued for realm {known.realm_id}")
            scopes = frozenset({ACCOUNTING})
            self._access[value] = AccessToken(value, realm_id, scopes, expires_at)
            return value

    def check_access(self, token: str, realm_id: str | None = None) -> AccessStatus:
        """Return what the gateway makes of bearer `token` (for `realm_id`'s API, if given)."""
        with self._lock:
            access = self._access.get(token)
            if access is None or (realm_id is not None and access.realm_id != realm_id):
                return AccessStatus.INVALID
            return access.status(self._now())

    def granted_scopes(self, token: str) -> frozenset[str]:
        """Return the scopes of a valid access token; none for any other."""
        with self._lock:
            access = self._access.get(token)
            if access is None or access.status(self._now()) is not AccessStatus.VALID:
                return frozenset()
            return access.scopes

    def dump(self) -> dict[str, Any]:
        """The apps and tokens as JSON-ready data (for snapshots)."""
        with self._lock:
            clients = list(self._clients.values())
            return dump_tokens(clients, list(self._refresh.values()), list(self._access.values()))

    def load(self, data: dict[str, Any]) -> None:
        """Replace the apps and tokens with those `dump` wrote; pending codes are dropped."""
        clients, refresh, access = load_tokens(data)
        with self._lock:
            self._clients = {c.client_id: c for c in clients}
            self._codes = {}
            self._refresh = {t.value: t for t in refresh}
            self._access = {t.value: t for t in access}

    def _new_refresh(self, connection: Connection, now: datetime) -> RefreshToken:
        expires_at = min(now + REFRESH_LIFETIME, connection.hard_expires_at)
        record = RefreshToken(new_refresh_token(expires_at), connection, now, expires_at)
        self._refresh[record.value] = record
        connection.refresh = record.value
        return record

    def _new_access(self, connection: Connection, now: datetime) -> AccessToken:
        access = AccessToken(
            new_access_token(),
            connection.realm_id,
            connection.scopes,
            now + ACCESS_LIFETIME,
            connection,
        )
        self._access[access.value] = access
        return access

    def _disconnect(self, client_id: str, realm_id: str | None) -> None:
        app = (client_id, realm_id)
        self._refresh = {k: t for k, t in self._refresh.items() if _app_of(t.connection) != app}
        self._access = {k: t for k, t in self._access.items() if _app_of(t.connection) != app}
        self._codes = {k: c for k, c in self._codes.items() if (c.client_id, c.realm_id) != app}


def _app_of(connection: Connection | None) -> tuple[str, str | None] | None:
    return None if connection is None else (connection.client_id, connection.realm_id)
