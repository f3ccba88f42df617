"""What the benchmarks share: a database and a Redis namespace of their own, and how much
memory a process took at its peak."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def new_namespace() -> str:
    """A Redis key prefix of the bench's own."""
    return f"qbsync-bench-{uuid.uuid4().hex[:8]}"


def drop_namespace(redis_url: str, namespace: str) -> None:
    """Delete every key under the namespace."""
    client = Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{namespace}:*"):
        client.delete(key)
    client.close()


def peak_rss_mb(pid: int) -> float:
    """The most memory the process has held at once (VmHWM), in MB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0


def descendants(pid: int) -> list[int]:
    """The process's children, theirs, and so on (Linux)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found
