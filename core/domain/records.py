"""The records qbsync keeps: firms, API keys, accounts and their status history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from core.domain.status import SyncStatus, check_transition
from core.errors import InvalidTransitionError


@dataclass
class Firm:
    """One tenant: a practice with its own keys and one QBO company."""

    name: str
    created_at: datetime
    id: int | None = None


@dataclass
class ApiKey:
    """An API key of a firm; only its hash is kept."""

    firm_id: int
    prefix: str
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None


@dataclass
class QboConnection:
    """How a firm reaches its QBO company; its token is stored sealed (core.ports.TokenVault)."""

    firm_id: int
    realm_id: str
    api_base_url: str
    sealed_access_token: str
    connected_at: datetime
    sealed_refresh_token: str | None = None
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    hard_expires_at: datetime | None = None
    broken_reason: str | None = None  # set when QBO refused the tokens: reconnect
    changes_checked_at: datetime | None = None  # how far the change-data-capture poll has read
    id: int | None = None


@dataclass
class OAuthState:
    """A pending consent: the `state` sent to Intuit (kept hashed), single use, short-lived."""

    firm_id: int
    state_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    id: int | None = None


@dataclass
class CustomerMerge:
    """A QBO merge a webhook reported: `merged_id` now lives on as `survivor_id`."""

    realm_id: str
    merged_id: str
    survivor_id: str
    merged_at: datetime
    id: int | None = None


@dataclass
class StatusChange:
    """One entry of a record's history: a status change with its time, cause and job."""

    firm_id: int
    record_type: str
    record_id: int
    from_status: SyncStatus
    to_status: SyncStatus
    cause: str
    at: datetime
    job_id: str | None = None
    error: dict[str, Any] | None = None
    id: int | None = None


class StatusTracked:
    """A record with a sync status (SPEC §2's table): its changes go into its history."""

    record_type: ClassVar[str]
    firm_id: int
    id: int | None
    status: SyncStatus
    error: dict[str, Any] | None
    updated_at: datetime
    last_synced_at: datetime | None

    def move_to(
        self,
        target: SyncStatus,
        *,
        at: datetime,
        cause: str,
        job_id: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> StatusChange:
        """Change status as SPEC §2 allows, keep the error with it, and record the change."""
        check_transition(self.status, target)
        assert self.id is not None, "a record gets its id before its first status change"
        change = StatusChange(
            firm_id=self.firm_id,
            record_type=self.record_type,
            record_id=self.id,
            from_status=self.status,
            to_status=target,
            cause=cause,
            at=at,
            job_id=job_id,
            error=error,
        )
        self.status = target
        self.error = error
        self.updated_at = at
        if target is SyncStatus.SYNCED:
            self.last_synced_at = at
        return change


@dataclass
class Account(StatusTracked):
    """A client account of the firm; `name` is the QBO customer display name."""

    firm_id: int
    external_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    status: SyncStatus = SyncStatus.NOT_SYNCED
    qbo_customer_id: str | None = None
    error: dict[str, Any] | None = None
    email: str | None = None  # helps rank candidates; never sent to QBO
    last_synced_at: datetime | None = None
    id: int | None = None

    record_type: ClassVar[str] = "account"

    def relink(
        self, customer_id: str, *, at: datetime, cause: str, job_id: str | None = None
    ) -> StatusChange:
        """Point a Synced account at another QBO customer (a merge's survivor), and record it.

        The status stays Synced: the history entry goes from synced to synced.
        """
        if self.status is not SyncStatus.SYNCED:
            raise InvalidTransitionError(self.status.value, "relinked")
        assert self.id is not None, "an account gets its id before its first status change"
        self.qbo_customer_id = customer_id
        self.updated_at = at
        return StatusChange(
            firm_id=self.firm_id,
            record_type=self.record_type,
            record_id=self.id,
            from_status=self.status,
            to_status=self.status,
            cause=cause,
            at=at,
            job_id=job_id,
        )
