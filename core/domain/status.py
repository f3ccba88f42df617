"""The sync-status vocabulary of SPEC §2 and the transitions allowed between statuses.

    not_synced ──▶ syncing ──▶ synced
        ▲  │          │  ▲        │
        │  ▼          ▼  │        ▼
        skipped ◀── failed     (resync, unsync, deleted in QBO)

Accounts, invoices and payments share this vocabulary.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import InvalidTransitionError


class SyncStatus(StrEnum):
    """Where one record stands with QBO; the value is what the API shows."""

    SYNCED = "synced"
    NOT_SYNCED = "not_synced"
    SKIPPED = "skipped"
    FAILED = "failed"
    SYNCING = "syncing"


_ALLOWED: dict[SyncStatus, frozenset[SyncStatus]] = {
    # Never synced, or its QBO record was deleted: it can be synced or turned off.
    SyncStatus.NOT_SYNCED: frozenset({SyncStatus.SYNCING, SyncStatus.SKIPPED}),
    # A job is queued or running: it ends in an outcome, or an admin turns sync off.
    SyncStatus.SYNCING: frozenset(
        {SyncStatus.SYNCED, SyncStatus.FAILED, SyncStatus.NOT_SYNCED, SyncStatus.SKIPPED}
    ),
    # Linked: it can be synced again, turned off, or found deleted in QBO.
    SyncStatus.SYNCED: frozenset({SyncStatus.SYNCING, SyncStatus.SKIPPED, SyncStatus.NOT_SYNCED}),
    # The last attempt failed: retry it, turn it off, or forget the link.
    SyncStatus.FAILED: frozenset({SyncStatus.SYNCING, SyncStatus.SKIPPED, SyncStatus.NOT_SYNCED}),
    # Turned off by an admin: only an explicit sync turns it back on (an invoice turned off
    # with its account comes back, Not synced, when the account is synced again).
    SyncStatus.SKIPPED: frozenset({SyncStatus.SYNCING, SyncStatus.NOT_SYNCED}),
}


def can_transition(current: SyncStatus, target: SyncStatus) -> bool:
    """Whether a record in `current` may move to `target`."""
    return target in _ALLOWED[current]


def check_transition(current: SyncStatus, target: SyncStatus) -> None:
    """Raise InvalidTransitionError unless `current` may move to `target`."""
    if not can_transition(current, target):
        raise InvalidTransitionError(current.value, target.value)
