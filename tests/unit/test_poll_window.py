"""Where a change-data-capture poll reads from: the watermark, at most 30 days back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.domain.records import QboConnection
from core.services.qbo_changes import CDC_LOOK_BACK, poll_window

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def a_connection(connected_at: datetime, checked_at: datetime | None = None) -> QboConnection:
    return QboConnection(
        firm_id=1,
        realm_id="9341453050298910",
        api_base_url="http://qbo.invalid",
        sealed_access_token="sealed",
        connected_at=connected_at,
        changes_checked_at=checked_at,
    )


def test_the_first_poll_reads_from_when_the_firm_connected() -> None:
    connected = NOW - timedelta(days=2)
    window = poll_window(a_connection(connected), NOW)
    assert (window.since, window.check_all) == (connected, False)


def test_a_later_poll_reads_from_the_watermark() -> None:
    checked = NOW - timedelta(minutes=15)
    window = poll_window(a_connection(NOW - timedelta(days=200), checked), NOW)
    assert (window.since, window.check_all) == (checked, False)


def test_a_watermark_older_than_30_days_reads_30_days_and_checks_every_account() -> None:
    window = poll_window(a_connection(NOW - timedelta(days=90), NOW - timedelta(days=31)), NOW)
    assert window.check_all
    assert window.since == NOW - CDC_LOOK_BACK
    assert NOW - timedelta(days=30) < window.since < NOW - timedelta(days=29)
