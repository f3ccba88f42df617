"""The shared counters in Redis: one hash a family (`<namespace>:metrics:<family>`), one field
a label set (and bucket), added to with HINCRBYFLOAT by every process.

A job or request only adds to this process's held counts (core.adapters.metrics); a thread
of the process writes them every FLUSH_EVERY_S in one MULTI/EXEC pipeline. When Redis is
down or slow, that thread alone waits (TIMEOUT_S at most, no retries), the counts stay held
and are written once Redis answers again, and the failure is logged at most once a minute:
nothing that is counted waits for Redis or fails because of it. A process that is killed
loses what it held (a second's worth, or the outage's); `close` writes it at a stop (the
worker's). A Redis that loses its data resets the counters, which Prometheus' rate() takes
as a restart.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.adapters.metrics import Key, MetricStore, Readings, Throttled, readings_of
from core.adapters.metrics_families import FAMILIES

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 1.0
# How long one write or read may wait for Redis; the default client retries with backoff.
TIMEOUT_S = 0.5


def metrics_client(url: str) -> Redis:
    """A client that gives up after TIMEOUT_S and does not retry."""
    return Redis.from_url(
        url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S, retry=Retry(NoBackoff(), 0)
    )


class RedisMetrics(MetricStore):
    """Counters shared by every process through Redis."""

    def __init__(
        self,
        client: Redis,
        namespace: str,
        *,
        flush_every_s: float = FLUSH_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(clock)
        self._client = client
        self._prefix = f"{namespace}:metrics:"
        self._flush_every_s = flush_every_s
        self._failures = Throttled(clock=clock)
        self._writer_pid: int | None = None  # the process whose writer thread runs
        self._writer_lock = threading.Lock()
        self._closed = threading.Event()

    def _added(self) -> None:
        if self._writer_pid == os.getpid() or self._closed.is_set():
            return
        with self._writer_lock:  # started on first use, so in the process that counts
            if self._writer_pid != os.getpid():
                self._writer_pid = os.getpid()
                writer = threading.Thread(target=self._write_forever, name="metrics-writer")
                writer.daemon = True
                writer.start()

    def _write_forever(self) -> None:
        while not self._closed.wait(self._flush_every_s):
            self.flush()

    def close(self) -> None:
        """Stop the writer thread, and write what is held (later counts are left to `flush`)."""
        self._closed.set()
        self.flush()

    def flush(self) -> None:
        """Write what this process counted since the last flush; keep it if Redis fails."""
        taken = self._take()
        if not taken:
            return
        try:
            self._write(taken)
        except Exception as exc:  # Redis is down or slow: the next flush tries again
            self._give_back(taken)
            self._failures.warning(f"writing metrics to Redis failed, kept for later: {exc!r}")

    def _write(self, taken: dict[Key, float]) -> None:
        with self._client.pipeline(transaction=True) as pipe:
            for (name, field), amount in taken.items():
                pipe.hincrbyfloat(self._prefix + name, field, amount)
            pipe.execute()

    def read(self) -> Readings | None:
        """Every process's counts (this one's written first); None when Redis fails."""
        self.flush()
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for name in FAMILIES:
                    pipe.hgetall(self._prefix + name)
                answers = pipe.execute()
        except Exception as exc:  # Redis is down or slow: /metrics shows it as down
            self._failures.warning(f"reading metrics from Redis failed: {exc!r}")
            return None
        fields: dict[Key, float] = {}
        for name, answer in zip(FAMILIES, answers, strict=True):
            for field, value in answer.items():
                fields[(name, field.decode())] = float(value)
        return readings_of(fields)
