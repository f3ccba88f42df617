"""Status events: the firm's own system hears of every status change, signed, at least once.

The history table (`status_changes`) is the outbox: a subscription only remembers the last
change delivered (`delivered_through`). A delivery POSTs the next changes, oldest first, as
one JSON body; a 2xx answer moves the mark past them, anything else leaves it and waits:

    pending ──POST──▶ 2xx ──▶ delivered_through = last id sent, attempts 0
                  └─▶ non-2xx, timeout, unreachable ──▶ attempts + 1, wait delivery_delay()

Nothing is given up: the backlog waits for the receiver. An event may arrive twice (a lost
answer, a worker that died after sending), so each carries an id to deduplicate by.

The body is signed with the firm's secret: `X-Qbsync-Signature: sha256=<hex>` is
HMAC-SHA256(secret, `<X-Qbsync-Timestamp>.<raw body>`), so a receiver can refuse both a
forged body and an old one replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.domain.jobs import retry_delay
from core.domain.records import StatusChange

# Delivery jobs target the firm's subscription: ("status_events", firm_id).
TARGET_TYPE = "status_events"
# Status changes sent in one POST.
BATCH_SIZE = 100
# A receiver that refuses is tried again after 5 s, 10 s, 20 s … (±25 %), at most hourly.
DELIVERY_BACKOFF_BASE = timedelta(seconds=5)
DELIVERY_BACKOFF_CAP = timedelta(hours=1)
SIGNATURE_HEADER = "X-Qbsync-Signature"
TIMESTAMP_HEADER = "X-Qbsync-Timestamp"


@dataclass
class StatusEventSubscription:
    """Where a firm wants its status events, and how far delivery has come."""

    firm_id: int
    url: str
    sealed_secret: str  # sealed with the TokenVault, like OAuth tokens
    delivered_through: int  # the last status change delivered (its id)
    created_at: datetime
    updated_at: datetime
    attempts: int = 0  # failed deliveries since the last one that succeeded
    next_attempt_at: datetime | None = None
    last_error: dict[str, Any] | None = None
    last_delivered_at: datetime | None = None

    def redirect(self, url: str, sealed_secret: str | None, now: datetime) -> None:
        """Send to `url` from now on (with a new secret, if given), trying it at once.

        The place in the history is kept: what the old URL did not take goes to the new one.
        """
        self.url = url
        if sealed_secret is not None:
            self.sealed_secret = sealed_secret
        self.attempts = 0
        self.next_attempt_at = None
        self.last_error = None
        self.updated_at = now

    def is_due(self, now: datetime) -> bool:
        """Whether a delivery may be tried now (not waiting out a backoff)."""
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def delivered(self, through: int, now: datetime) -> None:
        """The receiver took the changes up to id `through`."""
        # Never backwards: the subscription may have been replaced while the POST ran.
        self.delivered_through = max(self.delivered_through, through)
        self.attempts = 0
        self.next_attempt_at = None
        self.last_error = None
        self.last_delivered_at = now
        self.updated_at = now

    def refused(
        self, error: dict[str, Any], now: datetime, rng: random.Random | None = None
    ) -> None:
        """The receiver did not take them: wait longer with each failure, keep the reason."""
        self.attempts += 1
        self.next_attempt_at = now + delivery_delay(self.attempts, rng)
        self.last_error = error
        self.updated_at = now


def delivery_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after `attempts` failed deliveries: jittered, doubling, at most 1 hour."""
    delay = retry_delay(attempts, rng, base=DELIVERY_BACKOFF_BASE, cap=DELIVERY_BACKOFF_CAP)
    return min(delay, DELIVERY_BACKOFF_CAP)  # the jitter may not lift it past the cap


@dataclass(frozen=True)
class RecordRef:
    """How the firm's system knows a record: its own id, and the record's QBO Id if any."""

    external_id: str | None
    qbo_id: str | None


def status_event(change: StatusChange, record: RecordRef) -> dict[str, Any]:
    """One event of the body: the change, named by the firm's id, with a deduplication id."""
    return {
        "id": f"{change.firm_id}-{change.id}",
        "type": f"{change.record_type}.status_changed",
        "record": {
            "type": change.record_type,
            "external_id": record.external_id,
            "status": change.to_status.value,
            "previous_status": change.from_status.value,
            "qbo_id": record.qbo_id,
        },
        "cause": change.cause,
        "error": change.error,
        "job_id": change.job_id,
        "at": change.at.isoformat(),
    }


def events_body(events: list[dict[str, Any]]) -> bytes:
    """The raw body of one delivery: the bytes that are signed are the bytes that are sent."""
    return json.dumps({"events": events}, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`, keyed with the secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers of one delivery: content type, timestamp (Unix seconds) and signature."""
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
