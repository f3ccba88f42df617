import pytest

from core.config import DEFAULT_DATABASE_URL, Settings, normalise_database_url
from core.errors import ConfigurationError


def test_paas_postgres_urls_use_the_psycopg3_driver() -> None:
    assert normalise_database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_database_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_settings_come_from_the_environment_given() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgres://h/d", "REDIS_URL": "redis://h:6379/0"}
    )
    assert settings.database_url == "postgresql+psycopg://h/d"
    assert settings.redis_url == "redis://h:6379/0"


def test_without_environment_the_embedded_defaults_apply() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.redis_url is None


def test_the_customer_cache_lasts_a_minute_unless_told_otherwise() -> None:
    assert Settings.from_env({}).customer_cache_seconds == 60
    told = Settings.from_env({"QBSYNC_CUSTOMER_CACHE_SECONDS": "2.5"})
    assert told.customer_cache_seconds == 2.5


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf", ""])
def test_a_customer_cache_time_that_is_not_a_positive_duration_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="QBSYNC_CUSTOMER_CACHE_SECONDS"):
        Settings.from_env({"QBSYNC_CUSTOMER_CACHE_SECONDS": value})


def test_a_worker_keeps_customer_lists_a_quarter_hour_unless_told_otherwise() -> None:
    assert Settings.from_env({}).sync_customer_cache_seconds == 900
    told = Settings.from_env({"QBSYNC_SYNC_CUSTOMER_CACHE_SECONDS": "30"})
    assert told.sync_customer_cache_seconds == 30
    with pytest.raises(ConfigurationError, match="QBSYNC_SYNC_CUSTOMER_CACHE_SECONDS"):
        Settings.from_env({"QBSYNC_SYNC_CUSTOMER_CACHE_SECONDS": "0"})


def test_qbo_pacing_is_on_unless_switched_off_and_only_on_or_off_is_taken() -> None:
    assert Settings.from_env({}).qbo_pacing is True
    assert Settings.from_env({"QBSYNC_QBO_PACING": "off"}).qbo_pacing is False
    assert Settings.from_env({"QBSYNC_QBO_PACING": " ON "}).qbo_pacing is True
    with pytest.raises(ConfigurationError, match="QBSYNC_QBO_PACING must be on or off"):
        Settings.from_env({"QBSYNC_QBO_PACING": "false"})


def test_the_webhook_verifier_token_and_cdc_interval_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"QBO_WEBHOOK_VERIFIER_TOKEN": " verifier-123 ", "QBSYNC_CDC_INTERVAL": "60"}
    )
    assert settings.qbo_webhook_verifier_token == "verifier-123"
    assert settings.cdc_interval_seconds == 60.0
    assert "verifier-123" not in repr(settings)


def test_without_them_webhooks_are_unverifiable_and_cdc_polls_every_15_minutes() -> None:
    settings = Settings.from_env({})
    assert settings.qbo_webhook_verifier_token == ""
    assert settings.cdc_interval_seconds == 900.0


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_a_cdc_interval_that_is_not_a_positive_number_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigurationError, match="QBSYNC_CDC_INTERVAL"):
        Settings.from_env({"QBSYNC_CDC_INTERVAL": value})


def test_status_events_are_queued_every_5_seconds_unless_told_otherwise() -> None:
    assert Settings.from_env({}).status_events_interval_seconds == 5.0
    told = Settings.from_env({"QBSYNC_STATUS_EVENTS_INTERVAL": "2"})
    assert told.status_events_interval_seconds == 2.0
    with pytest.raises(ConfigurationError, match="QBSYNC_STATUS_EVENTS_INTERVAL"):
        Settings.from_env({"QBSYNC_STATUS_EVENTS_INTERVAL": "0"})
