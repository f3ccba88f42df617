"""Settings, read once from the environment at a composition root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///qbsync.sqlite3"


def normalise_database_url(url: str) -> str:
    """Accept the PaaS spellings of a PostgreSQL URL and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
    # Fernet keys for tokens at rest, newest first (core/adapters/crypto.py).
    encryption_keys: tuple[str, ...] = ()
    log_level: str = "INFO"

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
            encryption_keys=tuple(
                key.strip()
                for key in env.get("QBSYNC_ENCRYPTION_KEYS", "").split(",")
                if key.strip()
            ),
            log_level=env.get("LOG_LEVEL", "INFO"),
        )
