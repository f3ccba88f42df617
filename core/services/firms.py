"""Firms and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from core.domain.records import ApiKey, Firm, QboConnection
from core.ports import TokenVault, UnitOfWork

KEY_PREFIX = "qbs_"


def hash_api_key(key: str) -> str:
    """The stored form of an API key: keys are long and random, so one SHA-256 suffices."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_firm(
    uow: UnitOfWork, name: str, now: datetime, api_key: str | None = None
) -> tuple[int, str]:
    """Create a firm with one API key; return its id and the key, which is never shown again."""
    key = api_key or KEY_PREFIX + secrets.token_urlsafe(32)
    with uow:
        firm = Firm(name=name, created_at=now)
        uow.firms.add(firm)
        uow.flush()
        assert firm.id is not None
        uow.api_keys.add(
            ApiKey(firm_id=firm.id, prefix=key[:8], key_hash=hash_api_key(key), created_at=now)
        )
        uow.commit()
        return firm.id, key


def firm_for_api_key(uow: UnitOfWork, key: str) -> int | None:
    """The id of the firm an unrevoked API key belongs to, or None."""
    with uow:
        found = uow.api_keys.find_active(hash_api_key(key))
        return found.firm_id if found else None


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
