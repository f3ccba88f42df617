"""Which real servers the tests can use: PostgreSQL and Redis when they answer.

Where none runs, the same tests run on SQLite and fakeredis. CI sets QBSYNC_REQUIRE_SERVERS=1
so that a server it expects but cannot reach fails the run instead of being left out.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import sqlalchemy as sa
from redis import Redis

from tests.waiting import wait_for

POSTGRES_URL = os.environ.get(
    "QBSYNC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("QBSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVERS = os.environ.get("QBSYNC_REQUIRE_SERVERS") == "1"


def answers(url: str, default_port: int) -> bool:
    """Whether something listens at the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


HAS_POSTGRES = answers(POSTGRES_URL, 5432)
HAS_REDIS = answers(REDIS_URL, 6379)

# Test workers look for messages every 0.1 s when idle instead of Dramatiq's second (its
# `dramatiq_worker_timeout`, milliseconds): each worker a test starts picks its first job up
# and stops that much sooner. The Procfile test and the chaos run keep production's.
QUICK_POLL_MS = 100
QUICK_POLL_ENV = {"dramatiq_worker_timeout": str(QUICK_POLL_MS)}


def redis_namespace() -> str:
    """A Dramatiq namespace of this test's own: test runs sharing one Redis never take each
    other's messages."""
    return f"qbsync-test-{uuid.uuid4().hex[:12]}"


def drop_namespace(client: Redis, namespace: str) -> None:
    """Delete every key of `namespace` (what a test run left in the shared Redis)."""
    for key in client.scan_iter(match=f"{namespace}:*"):
        client.delete(key)


def waits_for_a_lock(engine: sa.Engine) -> bool:
    """Whether a PostgreSQL session of `engine`'s database waits for a lock."""
    with engine.connect() as connection:
        waiting = connection.scalar(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        )
    return bool(waiting)


def write_during_settlement(
    engine: sa.Engine, settle: Callable[[], object], held: threading.Event,
    release: threading.Event, write: Callable[[], object], what: str,
) -> None:  # fmt: skip
    """Run `settle` in a thread until it sets `held` (its transaction open, not committed),
    then `write` in another; once the write is done (the bug) or waits for a lock (the fix),
    set `release` so the settlement commits, and join both."""
    settling = threading.Thread(target=settle)
    settling.start()
    assert held.wait(timeout=30)
    written = threading.Event()

    def writing_then_done() -> None:
        write()
        written.set()

    writing = threading.Thread(target=writing_then_done)
    writing.start()
    wait_for(lambda: written.is_set() or waits_for_a_lock(engine), what=what)
    release.set()
    settling.join(timeout=30)
    writing.join(timeout=30)
