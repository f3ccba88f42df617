"""Status events: the signature, the event body, and the backoff of a refusing receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta

from core.domain.records import StatusChange
from core.domain.status import SyncStatus
from core.domain.status_events import (
    DELIVERY_BACKOFF_CAP,
    RecordRef,
    StatusEventSubscription,
    delivery_delay,
    events_body,
    signature,
    signed_headers,
    status_event,
)

SECRET = "a-secret-of-the-firm"
BODY = b'{"events":[{"id":"1-7"}]}'
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def a_subscription(**changes: object) -> StatusEventSubscription:
    subscription = StatusEventSubscription(
        firm_id=1,
        url="https://firm.example/hooks",
        sealed_secret="sealed",
        delivered_through=10,
        created_at=NOW,
        updated_at=NOW,
    )
    for name, value in changes.items():
        setattr(subscription, name, value)
    return subscription


def test_the_signature_is_the_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1764079200." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, "1764079200", BODY) == f"sha256={expected}"


def test_the_signature_changes_with_the_timestamp_the_body_and_the_secret() -> None:
    signed = signature(SECRET, "1764079200", BODY)
    assert signature(SECRET, "1764079201", BODY) != signed  # an old body cannot be re-dated
    assert signature(SECRET, "1764079200", BODY + b" ") != signed
    assert signature("another-secret-entirely", "1764079200", BODY) != signed


def test_the_headers_carry_the_unix_timestamp_they_sign() -> None:
    headers = signed_headers(SECRET, BODY, NOW)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Qbsync-Timestamp"] == str(int(NOW.timestamp()))
    assert headers["X-Qbsync-Signature"] == signature(SECRET, str(int(NOW.timestamp())), BODY)


def test_an_event_names_the_record_by_the_firms_id_and_carries_a_deduplication_id() -> None:
    change = StatusChange(
        firm_id=3,
        record_type="invoice",
        record_id=12,
        from_status=SyncStatus.SYNCING,
        to_status=SyncStatus.FAILED,
        cause="QBO refused the invoice",
        at=NOW,
        job_id="9b3c…",
        error={"message": "Invalid Number", "code": "2050"},
        id=41,
    )

    event = status_event(change, RecordRef(external_id="inv-7", qbo_id=None))

    assert event == {
        "id": "3-41",
        "type": "invoice.status_changed",
        "record": {
            "type": "invoice",
            "external_id": "inv-7",
            "status": "failed",
            "previous_status": "syncing",
            "qbo_id": None,
        },
        "cause": "QBO refused the invoice",
        "error": {"message": "Invalid Number", "code": "2050"},
        "job_id": "9b3c…",
        "at": "2026-11-25T14:00:00+00:00",
    }
    assert json.loads(events_body([event])) == {"events": [event]}


def test_the_backoff_doubles_from_five_seconds_within_a_quarter_of_jitter() -> None:
    rng = random.Random(3)
    for attempts in range(1, 9):
        base = 5 * 2 ** (attempts - 1)
        delay = delivery_delay(attempts, rng)
        assert timedelta(seconds=base * 0.75) <= delay <= timedelta(seconds=base * 1.25)


def test_the_backoff_never_exceeds_an_hour_even_after_days_of_failures() -> None:
    rng = random.Random(5)
    for attempts in (11, 12, 20, 100, 10_000):  # 5 s doubled 10 times is past the hour
        delay = delivery_delay(attempts, rng)
        assert DELIVERY_BACKOFF_CAP * 0.75 <= delay <= DELIVERY_BACKOFF_CAP


def test_a_refusal_counts_keeps_the_error_and_waits_out_the_backoff() -> None:
    subscription = a_subscription()

    subscription.refused({"message": "HTTP 500"}, NOW, random.Random(1))
    subscription.refused({"message": "HTTP 502"}, NOW, random.Random(1))

    assert subscription.attempts == 2
    assert subscription.last_error == {"message": "HTTP 502"}
    assert subscription.next_attempt_at is not None
    assert (
        NOW + timedelta(seconds=7.5)
        <= subscription.next_attempt_at
        <= NOW + timedelta(seconds=12.5)
    )
    assert not subscription.is_due(NOW)
    assert subscription.is_due(subscription.next_attempt_at)
    assert subscription.delivered_through == 10  # nothing skipped


def test_a_delivery_moves_the_mark_forward_only_and_clears_the_failures() -> None:
    subscription = a_subscription(attempts=3, last_error={"message": "HTTP 500"})

    subscription.delivered(25, NOW)
    subscription.delivered(20, NOW)  # an older batch finishing late does not move it back

    assert subscription.delivered_through == 25
    assert (subscription.attempts, subscription.last_error, subscription.next_attempt_at) == (
        0,
        None,
        None,
    )
    assert subscription.last_delivered_at == NOW


def test_a_new_url_is_tried_at_once_and_keeps_the_place_in_the_history() -> None:
    subscription = a_subscription(attempts=4, next_attempt_at=NOW + timedelta(hours=1))

    subscription.redirect("https://new.example/hooks", None, NOW)

    assert subscription.url == "https://new.example/hooks"
    assert subscription.sealed_secret == "sealed"  # none given: the secret stays
    assert subscription.is_due(NOW) and subscription.attempts == 0
    assert subscription.delivered_through == 10
