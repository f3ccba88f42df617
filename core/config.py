"""Settings, read once from the environment at a composition root."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///qbsync.sqlite3"
INTUIT_DISCOVERY_URL = "https://developer.api.intuit.com/.well-known/openid_configuration"
INTUIT_API_BASE_URL = "https://quickbooks.api.intuit.com"
# Requests one API key may make: 20 a second on average, far above what a firm's system sends
# in normal use (its bulk work goes through bulk requests), low enough that one runaway client
# cannot take the API from the others.
DEFAULT_API_RATE_LIMIT = "1200 per minute"


def normalise_database_url(url: str) -> str:
    """Accept the PaaS spellings of a PostgreSQL URL and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def positive_seconds(env: Mapping[str, str], name: str, default: str) -> float:
    """A duration in seconds from `env`; ConfigurationError naming the variable if it is not one."""
    value = env.get(name, default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:  # NaN fails this too
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
    return seconds


@dataclass(frozen=True)
class Settings:
    """Everything configurable about qbsync; tests build it directly."""

    database_url: str = DEFAULT_DATABASE_URL
    # None means the in-process broker of the embedded default (one process only).
    redis_url: str | None = None
    # Prefix of Dramatiq's keys: deployments (or test runs) sharing one Redis keep apart.
    redis_namespace: str = "dramatiq"
    # How often the scheduler runs the outbox relay.
    relay_interval_seconds: float = 5.0
    qbo_timeout_seconds: float = 30.0
    # Pace QBO requests under QBO's limits (the per-realm gate); off only against a stand-in
    # that does not throttle, to measure qbsync itself (benchmarks). QBO would answer 429.
    qbo_pacing: bool = True
    # How long the API keeps a company's customer list before reading it from QBO again.
    customer_cache_seconds: float = 60.0
    # How long a worker keeps it to decide syncs by name from: longer, since QBO itself
    # refuses a name taken meanwhile (6240, and the sync then links its holder), and since
    # customers deleted or merged in QBO reach their accounts by webhook and CDC poll.
    sync_customer_cache_seconds: float = 900.0
    # The app's keys at Intuit, where consents come back, and where Intuit's servers are.
    qbo_client_id: str = ""
    qbo_client_secret: str = ""
    qbo_redirect_uri: str = "http://localhost:8000/v1/connection/callback"
    qbo_discovery_url: str = INTUIT_DISCOVERY_URL
    qbo_api_base_url: str = INTUIT_API_BASE_URL
    # Fernet keys for tokens at rest, newest first (core/adapters/crypto.py).
    encryption_keys: tuple[str, ...] = ()
    log_level: str = "INFO"
    # The app's webhook verifier token at Intuit; without it webhooks cannot be verified (503).
    qbo_webhook_verifier_token: str = field(default="", repr=False)
    # How often the scheduler polls each connected company's changes (change data capture).
    cdc_interval_seconds: float = 900.0
    # How often the scheduler queues deliveries of status events to the firms' own systems.
    status_events_interval_seconds: float = 5.0
    # Requests one API key may make, as a Flask-Limiter limit string ("1200 per minute");
    # None: no limit (QBSYNC_API_RATE_LIMIT=off). Counted in Redis when there is one.
    api_rate_limit: str | None = DEFAULT_API_RATE_LIMIT
    # Signs the web page's session cookies (api/web): the same on every web process, so that
    # a session signed by one is read by the others. None: the web page is off (it answers 503
    # saying why) while the JSON API works on; `qbsync dev` and the tests make one a process.
    secret_key: str | None = field(default=None, repr=False)
    # When set, GET /metrics asks for `Authorization: Bearer <it>`: the metrics name every
    # connected company by realm id, and a PaaS's web process cannot hide one path.
    metrics_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from `env` (the process environment by default)."""
        env = os.environ if env is None else env
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            redis_url=env.get("REDIS_URL") or None,
            redis_namespace=env.get("QBSYNC_REDIS_NAMESPACE", "dramatiq"),
            relay_interval_seconds=float(env.get("QBSYNC_RELAY_INTERVAL", "5")),
            qbo_timeout_seconds=float(env.get("QBSYNC_QBO_TIMEOUT", "30")),
            qbo_pacing=_switch(env, "QBSYNC_QBO_PACING", default=True),
            customer_cache_seconds=positive_seconds(env, "QBSYNC_CUSTOMER_CACHE_SECONDS", "60"),
            sync_customer_cache_seconds=positive_seconds(
                env, "QBSYNC_SYNC_CUSTOMER_CACHE_SECONDS", "900"
            ),
            encryption_keys=tuple(
                key.strip()
                for key in env.get("QBSYNC_ENCRYPTION_KEYS", "").split(",")
                if key.strip()
            ),
            log_level=env.get("LOG_LEVEL", "INFO"),
            qbo_client_id=env.get("QBO_CLIENT_ID", ""),
            qbo_client_secret=env.get("QBO_CLIENT_SECRET", ""),
            qbo_redirect_uri=env.get("QBO_REDIRECT_URI", cls.qbo_redirect_uri),
            qbo_discovery_url=env.get("QBO_DISCOVERY_URL", INTUIT_DISCOVERY_URL),
            qbo_api_base_url=env.get("QBO_API_BASE_URL", INTUIT_API_BASE_URL),
            qbo_webhook_verifier_token=env.get("QBO_WEBHOOK_VERIFIER_TOKEN", "").strip(),
            cdc_interval_seconds=_seconds(env, "QBSYNC_CDC_INTERVAL", 900.0),
            status_events_interval_seconds=_seconds(env, "QBSYNC_STATUS_EVENTS_INTERVAL", 5.0),
            api_rate_limit=_rate_limit(env, "QBSYNC_API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT),
            secret_key=env.get("QBSYNC_SECRET_KEY", "").strip() or None,
            metrics_token=env.get("QBSYNC_METRICS_TOKEN", "").strip() or None,
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from `env[name]`; ConfigurationError names a bad one."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {text!r}")
    return seconds


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str | None:
    """A limit string from `env[name]`, or None for "off"; the API checks its syntax when it
    starts (api/ratelimit.py), since only the API uses it."""
    text = env.get(name, "").strip()
    if not text:
        return default
    return None if text.lower() == "off" else text


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """ "on" or "off" from `env[name]`; ConfigurationError names anything else."""
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text not in ("on", "off"):
        raise ConfigurationError(f"{name} must be on or off, not {text!r}")
    return text == "on"
