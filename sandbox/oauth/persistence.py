"""The token store as JSON-ready data, for the sandbox's snapshots.

Apps, connections, refresh and access tokens are kept; authorization codes are not (they
live five minutes). Connections are written once and referred to by position, because a
chain's refresh and access tokens share one.
"""

from datetime import datetime
from typing import Any

from sandbox.oauth.clients import OAuthClient
from sandbox.oauth.records import AccessToken, Connection, RefreshToken

Tokens = tuple[list[OAuthClient], list[RefreshToken], list[AccessToken]]


def dump_tokens(
    clients: list[OAuthClient], refresh: list[RefreshToken], access: list[AccessToken]
) -> dict[str, Any]:
    """The store's lasting contents as plain JSON data."""
    connections: list[Connection] = []

    def index(connection: Connection | None) -> int | None:
        if connection is None:
            return None
        for position, known in enumerate(connections):
            if known is connection:
                return position
        connections.append(connection)
        return len(connections) - 1

    refresh_rows = [_refresh_row(t, index(t.connection)) for t in refresh]
    access_rows = [_access_row(t, index(t.connection)) for t in access]
    return {
        "clients": [_client_row(c) for c in clients],
        "connections": [_connection_row(c) for c in connections],
        "refresh": refresh_rows,
        "access": access_rows,
    }


def load_tokens(data: dict[str, Any]) -> Tokens:
    """The apps and tokens that `dump_tokens` wrote."""
    clients = [
        OAuthClient(row["client_id"], row["client_secret"], tuple(row["redirect_uris"]))
        for row in data["clients"]
    ]
    connections = [
        Connection(
            row["client_id"],
            row["realm_id"],
            frozenset(row["scopes"]),
            datetime.fromisoformat(row["connected_at"]),
            datetime.fromisoformat(row["hard_expires_at"]),
            row["refresh"],
        )
        for row in data["connections"]
    ]
    refresh = [
        RefreshToken(
            row["value"],
            connections[row["connection"]],
            datetime.fromisoformat(row["issued_at"]),
            datetime.fromisoformat(row["expires_at"]),
            _parse(row["superseded_at"]),
        )
        for row in data["refresh"]
    ]
    access = [
        AccessToken(
            row["value"],
            row["realm_id"],
            frozenset(row["scopes"]),
            _parse(row["expires_at"]),
            None if row["connection"] is None else connections[row["connection"]],
        )
        for row in data["access"]
    ]
    return clients, refresh, access


def _client_row(client: OAuthClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_uris": list(client.redirect_uris),
    }


def _connection_row(connection: Connection) -> dict[str, Any]:
    return {
        "client_id": connection.client_id,
        "realm_id": connection.realm_id,
        "scopes": sorted(connection.scopes),
        "connected_at": connection.connected_at.isoformat(),
        "hard_expires_at": connection.hard_expires_at.isoformat(),
        "refresh": connection.refresh,
    }


def _refresh_row(token: RefreshToken, connection: int | None) -> dict[str, Any]:
    return {
        "value": token.value,
        "connection": connection,
        "issued_at": token.issued_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "superseded_at": _time(token.superseded_at),
    }


def _access_row(token: AccessToken, connection: int | None) -> dict[str, Any]:
    return {
        "value": token.value,
        "realm_id": token.realm_id,
        "scopes": sorted(token.scopes),
        "expires_at": _time(token.expires_at),
        "connection": connection,
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
