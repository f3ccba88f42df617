"""What the benchmarks share: a database of their own on the server, a Redis namespace."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from redis import Redis

from core.adapters.db.migrate import upgrade


@contextmanager
def bench_database(postgres_url: str) -> Iterator[str]:
    """A database of the bench's own on the server, migrated, dropped afterwards."""
    name = f"qbsync_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_namespace() -> str:
    """A Redis namespace of one bench run's own."""
    return f"qbsync-bench-{uuid.uuid4().hex[:8]}"


def drop_namespace(redis_url: str, namespace: str) -> None:
    """Delete every key the run left under `namespace`."""
    client = Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{namespace}:*"):
        client.delete(key)
    client.close()
