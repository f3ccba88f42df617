"""The chaos bench's running system: a redis-server of its own and the Procfile's processes,
each in a process group of its own so that a kill reaches the forked children too (as a PaaS
stopping a dyno does), and each restartable under its name."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
from redis import Redis

from api.bench_api import GUNICORN_CONFIG, ROOT
from api.bench_support import free_port, worker_command

WORKERS = ("worker-1", "worker-2")


class StackError(RuntimeError):
    """A process of the bench's system did not start or come back."""


def wait_for(condition: object, timeout_s: float, what: str, every_s: float = 0.1) -> None:
    """Poll `condition()` until it is true; StackError after `timeout_s`."""
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise StackError(f"{what} did not happen within {timeout_s:.0f} s")
        time.sleep(every_s)  # polling for a condition, not a synchronisation


class RedisServer:
    """A redis-server on a free port of 127.0.0.1, configured as production runs it (jobs.md
    §5: AOF written every second, noeviction), in a directory of its own; stop and start it
    again on the same port and data."""

    def __init__(self) -> None:
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="qbsync-chaos-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", self._dir.name, "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--maxmemory-policy", "noeviction", "--protected-mode", "yes",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(self._answers, 10, "redis-server answering")

    def stop(self) -> None:
        """SIGTERM: redis-server writes its AOF out and exits, as on a managed restart."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None

    def _answers(self) -> bool:
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except Exception:  # not listening yet
            return False
        finally:
            client.close()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._dir.cleanup()


class Stack:
    """The Procfile's web, two workers and scheduler over the bench's database, Redis and
    sandbox; `port` stays the web process's across restarts (the OAuth callback names it)."""

    def __init__(self, env: Mapping[str, str], port: int, log_dir: Path) -> None:
        self._env = {**os.environ, **env, "PORT": str(port)}
        self.port = port
        self._logs = log_dir
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, int] = {}
        self._stopped = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def commands(self) -> dict[str, list[str]]:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        worker = worker_command(threads=8)
        return {
            "web": [gunicorn, "api.wsgi:create_app_from_env()", "--config", str(GUNICORN_CONFIG)],
            **{name: worker for name in WORKERS},
            "scheduler": [sys.executable, "-m", "worker.scheduler"],
        }

    def start(self, name: str) -> None:
        """Start (or restart) the process; nothing once the stack is stopped, so that a
        fault's restart racing the bench's end leaves no process behind."""
        if self._stopped:
            return
        log = (self._logs / f"{name}.log").open("ab")
        self._running[name] = subprocess.Popen(
            self.commands()[name], cwd=ROOT, env=self._env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.restarts[name] = self.restarts.get(name, -1) + 1
        if name == "web":
            wait_for(self.healthy, 60, "the web process answering /v1/health")

    def start_all(self) -> None:
        for name in self.commands():
            self.start(name)

    def pids(self, name: str) -> list[int]:
        """The process and its children (there are none since worker.run, but a command that
        forks would have them)."""
        from api.bench_support import descendants

        process = self._running.get(name)
        return [] if process is None else [process.pid, *descendants(process.pid)]

    def signal(self, name: str, signum: int) -> None:
        """Send `signum` to the process's whole group."""
        process = self._running[name]
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, signum)

    def wait_exit(self, name: str, timeout_s: float) -> bool:
        """Wait for the process to end; False if it still runs after `timeout_s`."""
        try:
            self._running[name].wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self, name: str) -> None:
        """SIGKILL the group and reap it."""
        self.signal(name, signal.SIGKILL)
        self.wait_exit(name, 30)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop_all(self) -> None:
        self._stopped = True
        for name in list(self._running):
            self.signal(name, signal.SIGTERM)
        for name in list(self._running):
            if not self.wait_exit(name, 30):
                self.kill(name)
        self._running.clear()
