"""How the web page shows a sync status: its label and meaning (SPEC §2's table), the error
of a Failed record, and what a live update compares to tell that a record changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.domain.status import SyncStatus

# SPEC §2's table, in its order: what a badge says and what hovering it explains.
LABELS = {
    SyncStatus.SYNCED: "Synced",
    SyncStatus.NOT_SYNCED: "Not synced",
    SyncStatus.SKIPPED: "Skipped",
    SyncStatus.FAILED: "Failed",
    SyncStatus.SYNCING: "Syncing",
}
MEANINGS = {
    SyncStatus.SYNCED: "Linked to QuickBooks; its QuickBooks Id is shown.",
    SyncStatus.NOT_SYNCED: "Never synced, or its QuickBooks record was deleted; it can be synced.",
    SyncStatus.SKIPPED: "Sync is turned off by an admin; no errors are raised for it.",
    SyncStatus.FAILED: "The last attempt failed.",
    SyncStatus.SYNCING: "A job is queued or running for it.",
}


@dataclass(frozen=True)
class ErrorShown:
    """A record's error as a bookkeeper reads it (core.errors.QboError's fields)."""

    message: str
    code: str | None
    detail: str | None
    retryable: bool
    intuit_tid: str | None


def error_shown(error: Mapping[str, Any] | None) -> ErrorShown | None:
    """The stored error of a record, or None when it has none."""
    if not error:
        return None
    return ErrorShown(
        message=str(error.get("message") or "No message was recorded."),
        code=_text(error.get("code")),
        detail=_text(error.get("detail")),
        retryable=bool(error.get("retryable")),
        intuit_tid=_text(error.get("intuit_tid")),
    )


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


@dataclass(frozen=True)
class Progress:
    """How far the firm's accounts are: settled (Synced, Failed or Skipped) of all."""

    settled: int
    total: int
    syncing: int

    @property
    def percent(self) -> int:
        return 100 * self.settled // self.total if self.total else 0


def progress(counts: Mapping[SyncStatus, int]) -> Progress:
    """The progress a first sync shows, from the accounts' counts per status."""
    total = sum(counts.values())
    waiting = counts.get(SyncStatus.NOT_SYNCED, 0) + counts.get(SyncStatus.SYNCING, 0)
    return Progress(settled=total - waiting, total=total, syncing=counts.get(SyncStatus.SYNCING, 0))


def signature(*parts: object) -> str:
    """A short digest of what a record's cells show: a live update re-renders them only
    when it changed (static/app.js sends it back with each poll)."""
    text = json.dumps(parts, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def dom_id(prefix: str, *parts: str) -> str:
    """An HTML id for a record's element: external ids may hold any character, ids may not."""
    return f"{prefix}-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:12]}"


def in_utc(moment: datetime) -> datetime:
    """A stored time in UTC (the store keeps UTC; SQLite hands it back without a zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
