from datetime import UTC, datetime, timedelta

from core.domain.oauth import hard_limit_warning

NOW = datetime(2028, 10, 1, tzinfo=UTC)


def test_a_connection_far_from_the_five_year_limit_carries_no_warning() -> None:
    assert hard_limit_warning(NOW + timedelta(days=31), NOW) is None
    assert hard_limit_warning(None, NOW) is None


def test_thirty_and_seven_days_before_the_limit_the_warning_names_the_date() -> None:
    for days in (30, 7, 1):
        warning = hard_limit_warning(NOW + timedelta(days=days), NOW)
        assert warning is not None
        assert (NOW + timedelta(days=days)).date().isoformat() in warning
        assert "reconnect" in warning
