"""Firms and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from core.domain.records import ApiKey, Firm, QboConnection
from core.errors import NotFoundError
from core.ports import TokenVault, UnitOfWork

KEY_PREFIX = "qbs_"


def hash_api_key(key: str) -> str:
    """The stored form of an API key: keys are long and random, so one SHA-256 suffices."""
    return hashlib.sha256(key.encode()).hexdigest()


# How much of a key is kept in the clear to tell a firm's keys apart in a list: the "qbs_"
# and eight random characters (48 bits), which say nothing useful about the rest.
SHOWN_PREFIX = 12


def create_firm(
    uow: UnitOfWork, name: str, now: datetime, api_key: str | None = None
) -> tuple[int, str]:
    """Create a firm with one API key; return its id and the key, which is never shown again."""
    key = api_key or _new_key()
    with uow:
        firm = Firm(name=name, created_at=now)
        uow.firms.add(firm)
        uow.flush()
        assert firm.id is not None
        uow.api_keys.add(_stored(firm.id, key, now))
        uow.commit()
        return firm.id, key


def issue_api_key(uow: UnitOfWork, firm_id: int, now: datetime) -> tuple[ApiKey, str]:
    """Give the firm one more API key; return what is kept of it and the key, shown once."""
    key = _new_key()
    with uow:
        if uow.firms.get(firm_id) is None:
            raise NotFoundError("firm", str(firm_id))
        stored = _stored(firm_id, key, now)
        uow.api_keys.add(stored)
        uow.commit()
        return stored, key


def api_keys_of(uow: UnitOfWork, firm_id: int) -> list[ApiKey]:
    """The firm's API keys, revoked ones included, oldest first (only their prefixes)."""
    with uow:
        return uow.api_keys.for_firm(firm_id)


def revoke_api_key(uow: UnitOfWork, firm_id: int, key_id: int, now: datetime) -> ApiKey:
    """Revoke one of the firm's keys: refused from its next request on. Revoking it again
    changes nothing; another firm's key is not found."""
    with uow:
        key = uow.api_keys.get(firm_id, key_id)
        if key is None:
            raise NotFoundError("API key", str(key_id))
        if key.revoked_at is None:
            key.revoked_at = now
            uow.commit()
        return key


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _stored(firm_id: int, key: str, now: datetime) -> ApiKey:
    return ApiKey(
        firm_id=firm_id, prefix=key[:SHOWN_PREFIX], key_hash=hash_api_key(key), created_at=now
    )


@dataclass(frozen=True)
class ActiveKey:
    """An unrevoked API key as a request needs it: its own id (what it is rate limited by)
    and its firm's (whose records it sees)."""

    id: int
    firm_id: int


def active_api_key(uow: UnitOfWork, key: str) -> ActiveKey | None:
    """The unrevoked API key `key` is, or None. Read from the store on every call, never
    cached, so that a revoked key is refused from its very next request."""
    with uow:
        found = uow.api_keys.find_active(hash_api_key(key))
        if found is None:
            return None
        assert found.id is not None
        return ActiveKey(id=found.id, firm_id=found.firm_id)


def firm_for_api_key(uow: UnitOfWork, key: str) -> int | None:
    """The id of the firm an unrevoked API key belongs to, or None."""
    active = active_api_key(uow, key)
    return active.firm_id if active else None


def connect_firm(
    uow: UnitOfWork,
    vault: TokenVault,
    firm_id: int,
    *,
    realm_id: str,
    api_base_url: str,
    access_token: str,
    now: datetime,
) -> None:
    """Record the QBO company a firm syncs to (the OAuth flow arrives in a later issue)."""
    with uow:
        uow.connections.add(
            QboConnection(
                firm_id=firm_id,
                realm_id=realm_id,
                api_base_url=api_base_url,
                sealed_access_token=vault.seal(access_token),
                connected_at=now,
            )
        )
        uow.commit()


def reseal_tokens(uow: UnitOfWork, vault: TokenVault) -> int:
    """Seal every stored token again with the newest key; return how many connections."""
    with uow:
        connections = uow.connections.all()
        for connection in connections:
            connection.sealed_access_token = vault.reseal(connection.sealed_access_token)
        uow.commit()
        return len(connections)
