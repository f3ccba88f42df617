"""What the benchmarks share: a database and a Redis namespace of their own, the Procfile's
processes run on them, and how much memory each process took at its peak."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dramatiq
import sqlalchemy as sa
from redis import Redis

from core.adapters.db.migrate import upgrade
from core.domain.jobs import JobKind
from worker.dispatch import QUEUE, message_for


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


def quiesce(postgres_url: str) -> None:
    """Let the server write out what an earlier part left dirty (CHECKPOINT), so that a part
    is not measured against another's leftovers."""
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("CHECKPOINT"))
    engine.dispose()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_namespace() -> str:
    """A Redis key prefix of the bench's own."""
    return f"qbsync-bench-{uuid.uuid4().hex[:8]}"


def drop_namespace(redis_url: str, namespace: str) -> None:
    """Delete every key under the namespace."""
    client = Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{namespace}:*"):
        client.delete(key)
    client.close()


def write_report(report: Mapping[str, object], path: Path) -> None:
    """The report as JSON, for tools and for docs/benchmarks.md."""
    path.write_text(json.dumps(report, indent=2) + "\n")


def wait_until_drained(redis_url: str, namespace: str, timeout_s: float = 120.0) -> float:
    """Wait until the jobs queue holds no message (each acked once its actor returned);
    return the monotonic time it was first seen empty."""
    client = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout_s
    try:
        while client.hlen(f"{namespace}:{QUEUE}.msgs"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the queue did not drain within {timeout_s:.0f} s")
            time.sleep(0.01)  # polling Redis for the moment it drains, not a synchronisation
        return time.monotonic()
    finally:
        client.close()


def backlog_worked_off(redis_url: str, namespace: str, backlog: int) -> tuple[float, float]:
    """Watch a worker work off the jobs queue's backlog of `backlog` messages: the monotonic
    times the first was acknowledged and the queue was empty."""
    client = Redis.from_url(redis_url)
    key = f"{namespace}:{QUEUE}.msgs"
    try:
        while client.hlen(key) >= backlog:
            time.sleep(0.002)  # watching for the first ack, not a synchronisation
        first = time.monotonic()
    finally:
        client.close()
    return first, wait_until_drained(redis_url, namespace)


def wait_until_consuming(broker: dramatiq.Broker, redis_url: str, namespace: str) -> None:
    """Wait until a worker consumes the queue: it takes a message naming no job, which it
    acks at once (the worker's start-up is not part of what a bench measures)."""
    broker.enqueue(message_for(str(uuid.uuid4()), JobKind.SYNC_ACCOUNT))
    wait_until_drained(redis_url, namespace)


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


def own_peak_rss_mb() -> float:
    """This process's peak memory (the bench, with the sandbox it serves), in MB."""
    return peak_rss_mb(os.getpid())


def worker_command(module: str = "worker.main", *, threads: int = 8) -> list[str]:
    """The Procfile's `worker` (python -m worker.run) over `module`'s broker."""
    return [sys.executable, "-m", "worker.run", module, "--threads", str(threads)]


class Processes:
    """Processes of the Procfile, started with the bench's environment; each one's peak
    memory is read, children included, before it is stopped."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = {**os.environ, **env}
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self.peaks_mb: dict[str, float] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, env=self._env)
        self._running[name] = process
        return process

    def worker(self, name: str = "worker", processes: int = 1, threads: int = 8) -> None:
        """`processes` of the Procfile's `worker`, as a PaaS runs that many dynos."""
        for n in range(processes):
            self.start(
                name if processes == 1 else f"{name}-{n + 1}", worker_command(threads=threads)
            )

    def scheduler(self) -> None:
        """`python -m worker.scheduler`, the Procfile's `scheduler`."""
        self.start("scheduler", [sys.executable, "-m", "worker.scheduler"])

    def stop(self, name: str) -> None:
        """Read the process's peak memory (and its children's), then stop it."""
        process = self._running.pop(name)
        self.peaks_mb[name] = round(peak_rss_mb(process.pid), 1)
        for n, child in enumerate(descendants(process.pid)):
            self.peaks_mb[f"{name} (child {n + 1})"] = round(peak_rss_mb(child), 1)
        process.terminate()
        process.wait(timeout=60)

    def stop_all(self) -> None:
        for name in list(self._running):
            self.stop(name)

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()
