"""Connecting a firm to its QBO company through OAuth 2.0, and disconnecting it.

The consent's `state` is random, bound to the firm, stored hashed, single use and short-lived
(core.domain.oauth.STATE_LIFETIME), so a callback cannot connect another firm's company.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.oauth import STATE_LIFETIME, hard_limit_warning
from core.domain.qbo import QboTokens
from core.domain.records import OAuthState, QboConnection
from core.errors import NotConnectedError, QbsyncError
from core.ports import OAuthProvider, TokenVault, UnitOfWork


class ConsentRefusedError(QbsyncError):
    """The callback cannot connect: the user refused, or the state is unknown or used up."""


@dataclass(frozen=True)
class ConnectionView:
    """What GET /v1/connection shows; never a token."""

    connected: bool
    realm_id: str | None = None
    connected_at: datetime | None = None
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    hard_expires_at: datetime | None = None
    broken_reason: str | None = None
    warning: str | None = None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin_connection(uow: UnitOfWork, oauth: OAuthProvider, firm_id: int, now: datetime) -> str:
    """Record a fresh state for the firm and return Intuit's consent URL carrying it."""
    state = secrets.token_urlsafe(32)
    with uow:
        uow.connections.add_state(
            OAuthState(firm_id, _hash(state), created_at=now, expires_at=now + STATE_LIFETIME)
        )
        uow.commit()
    return oauth.authorization_url(state)


def complete_connection(
    uow: UnitOfWork,
    vault: TokenVault,
    oauth: OAuthProvider,
    *,
    state: str,
    code: str | None,
    realm_id: str | None,
    error: str | None,
    api_base_url: str,
    now: datetime,
) -> ConnectionView:
    """Use up the state, exchange the code and store the realm and sealed tokens."""
    with uow:
        pending = uow.connections.take_state(_hash(state), now)
        uow.commit()
    if pending is None:
        raise ConsentRefusedError("This consent link is unknown, used or expired; connect again.")
    if error is not None:
        raise ConsentRefusedError(f"QuickBooks did not connect: the consent ended with {error!r}.")
    if not code or not realm_id:
        raise ConsentRefusedError("The callback lacks the code or the realmId; connect again.")
    tokens = oauth.exchange_code(code)
    with uow:
        old = uow.connections.for_firm(pending.firm_id)
        if old is not None:
            uow.connections.remove(old)
            uow.flush()
        connection = QboConnection(
            firm_id=pending.firm_id,
            realm_id=realm_id,
            api_base_url=api_base_url,
            sealed_access_token="",
            connected_at=now,
        )
        store_tokens(vault, connection, tokens, now)
        uow.connections.add(connection)
        uow.commit()
    return view_of(connection)


def store_tokens(
    vault: TokenVault, connection: QboConnection, tokens: QboTokens, now: datetime
) -> None:
    """Keep a token answer on the connection: both tokens sealed, their expiries, no fault."""
    connection.sealed_access_token = vault.seal(tokens.access_token)
    connection.sealed_refresh_token = vault.seal(tokens.refresh_token)
    connection.access_expires_at = tokens.access_expires_at(now)
    connection.refresh_expires_at = tokens.refresh_expires_at(now)
    connection.hard_expires_at = tokens.hard_expires_at(now) or connection.hard_expires_at
    connection.broken_reason = None


def connection_status(uow: UnitOfWork, firm_id: int, now: datetime) -> ConnectionView:
    """The firm's connection as GET /v1/connection reports it."""
    with uow:
        connection = uow.connections.for_firm(firm_id)
        if connection is None:
            return ConnectionView(connected=False)
        view = view_of(connection)
        return replace(view, warning=hard_limit_warning(connection.hard_expires_at, now))


def disconnect(uow: UnitOfWork, vault: TokenVault, oauth: OAuthProvider, firm_id: int) -> None:
    """Revoke the connection at Intuit and erase its tokens here."""
    with uow:
        connection = uow.connections.for_firm(firm_id)
        if connection is None:
            raise NotConnectedError()
        sealed = connection.sealed_refresh_token or connection.sealed_access_token
        uow.connections.remove(connection)
        uow.commit()
    oauth.revoke(vault.open(sealed))


def view_of(connection: QboConnection) -> ConnectionView:
    return ConnectionView(
        connected=connection.broken_reason is None,
        realm_id=connection.realm_id,
        connected_at=connection.connected_at,
        access_expires_at=connection.access_expires_at,
        refresh_expires_at=connection.refresh_expires_at,
        hard_expires_at=connection.hard_expires_at,
        broken_reason=connection.broken_reason,
    )
