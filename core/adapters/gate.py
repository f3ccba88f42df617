"""The per-realm gate of design/jobs.md §6 (first version): every QBO request of a company
passes it, in every worker process, so qbsync paces itself under QBO's limits instead of
bouncing off them.

Four windows per realm: requests in the last minute (QBO allows 500), in the last second
(10), in flight (10), and batch requests in the last minute (40; each also counts once
among the 500). In-flight slots are leases that expire, not counters, so a worker
killed while holding one cannot keep it. With Redis the windows are sorted sets updated by
one Lua script (atomic across processes); without Redis (the embedded system, one process)
the same rules run in memory. A request that cannot pass within `max_wait` fails as
transient, and its job retries later.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from redis import Redis

from core.errors import QboBatchBudgetError, QboTransientError


@dataclass(frozen=True)
class RealmLimits:
    """QBO's limits for one company and app (shared/qbo/README.md, Limits)."""

    per_minute: int = 500
    per_second: int = 10
    in_flight: int = 10
    batches_per_minute: int = 40  # batch requests, which also count once toward per_minute
    # Longer than QBO's 120 s request timeout: a live holder never loses its slot.
    lease_ms: int = 150_000
    # Well inside an actor's 50 s time limit: a job is never interrupted while it waits here.
    max_wait_s: float = 30.0
    # A batch waits this long at most for its window; then its items go as single calls,
    # which have their own room in the minute (the floor of issue 16 counts on both).
    batch_max_wait_s: float = 2.0
    # QBO counts a request when it arrives, the gate when it leaves: requests sent in order
    # can arrive closer together than they left, so each window is kept this much longer.
    margin_ms: int = 100


_ADMIT = """
local now = tonumber(ARGV[1])
local minute, second = 60000 + tonumber(ARGV[7]), 1000 + tonumber(ARGV[7])
local batch = ARGV[9] == '1'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minute)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - second)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - minute)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  return 20
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + minute - now)
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + second - now)
end
if batch and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[8]) then
  local oldest = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + minute - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], minute + 1000)
redis.call('PEXPIRE', KEYS[2], second + 1000)
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]))
if batch then
  redis.call('ZADD', KEYS[4], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[4], minute + 1000)
end
return 0
"""


class RealmGate:
    """Waiting at the gate; subclasses say whether a request may pass now."""

    def __init__(
        self,
        limits: RealmLimits,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits, self._clock, self._sleep = limits, clock, sleep

    @contextmanager
    def admit(self, realm_id: str, *, batch: bool = False) -> Iterator[None]:
        """Wait until a request to `realm_id` fits QBO's limits; hold a slot while it runs.

        A batch request also needs room in the batch window (QBO: 40 a minute).
        """
        lease = uuid.uuid4().hex
        waited = 0.0
        while (
            wait_ms := self.try_admit(realm_id, lease, int(self._clock() * 1000), batch=batch)
        ) > 0:
            if batch and waited + wait_ms / 1000 > self.limits.batch_max_wait_s:
                raise QboBatchBudgetError(
                    f"QuickBooks' batch requests for company {realm_id} are spent for now."
                )
            if waited >= self.limits.max_wait_s:
                raise QboTransientError(
                    f"QuickBooks' limits for company {realm_id} kept this request waiting "
                    f"{waited:.0f} s; it will be retried."
                )
            self._sleep(wait_ms / 1000)
            waited += wait_ms / 1000
        try:
            yield
        finally:
            self.release(realm_id, lease)

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        """Take a slot (0) or say how many ms to wait before asking again."""
        raise NotImplementedError

    def release(self, realm_id: str, lease: str) -> None:
        raise NotImplementedError


class RedisRealmGate(RealmGate):
    """The gate shared by every process through Redis."""

    def __init__(
        self,
        client: Redis,
        limits: RealmLimits,
        namespace: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(limits, clock, sleep)
        self._client = client
        self._namespace = namespace
        self._script = client.register_script(_ADMIT)

    def _keys(self, realm_id: str) -> list[str]:
        base = f"{self._namespace}:gate:{realm_id}"
        return [f"{base}:minute", f"{base}:second", f"{base}:leases", f"{base}:batches"]

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        limits = self.limits
        args: list[str | int] = [
            now_ms,
            lease,
            limits.per_minute,
            limits.per_second,
            limits.in_flight,
            limits.lease_ms,
            limits.margin_ms,
            limits.batches_per_minute,
            "1" if batch else "0",
        ]
        return int(self._script(keys=self._keys(realm_id), args=args))

    def release(self, realm_id: str, lease: str) -> None:
        self._client.zrem(self._keys(realm_id)[2], lease)


class MemoryRealmGate(RealmGate):
    """The same gate for one process (the embedded system)."""

    def __init__(
        self,
        limits: RealmLimits,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(limits, clock, sleep)
        self._lock = threading.Lock()
        self._hits: dict[str, list[tuple[int, str]]] = {}
        self._batches: dict[str, list[int]] = {}
        self._leases: dict[str, dict[str, int]] = {}

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        limits = self.limits
        minute, second = 60_000 + limits.margin_ms, 1_000 + limits.margin_ms
        with self._lock:
            hits = [h for h in self._hits.get(realm_id, []) if h[0] > now_ms - minute]
            batches = [b for b in self._batches.get(realm_id, []) if b > now_ms - minute]
            leases = {k: v for k, v in self._leases.get(realm_id, {}).items() if v > now_ms}
            self._hits[realm_id], self._leases[realm_id] = hits, leases
            self._batches[realm_id] = batches
            last_second = [h for h in hits if h[0] > now_ms - second]
            if len(leases) >= limits.in_flight:
                return 20
            if len(hits) >= limits.per_minute:
                return max(1, hits[0][0] + minute - now_ms)
            if len(last_second) >= limits.per_second:
                return max(1, last_second[0][0] + second - now_ms)
            if batch and len(batches) >= limits.batches_per_minute:
                return max(1, batches[0] + minute - now_ms)
            if batch:
                batches.append(now_ms)
            hits.append((now_ms, lease))
            leases[lease] = now_ms + limits.lease_ms
            return 0

    def release(self, realm_id: str, lease: str) -> None:
        with self._lock:
            self._leases.get(realm_id, {}).pop(lease, None)
