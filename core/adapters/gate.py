"""The per-realm gate of design/jobs.md §6: every QBO request of a company passes it, in
every worker process, so qbsync paces itself under QBO's limits instead of bouncing off them.

QBO allows a company 500 requests a minute, of which at most 40 batch requests, 10 a second
and 10 in flight. The gate keeps four windows per realm: single requests in the last minute,
batch requests in the last minute, requests in the last second, and requests in flight. The
minute is split: single requests get 460 of it and batch requests keep their 40, so a
backlog of single calls never takes the room a batch of 30 writes needs (issue 16's floor
counts on both channels running at once). In-flight slots are leases that expire, not
counters, so a worker killed while holding one cannot keep it: a lease is short and the
holder's process renews it while the request runs (`renew_held`, a thread of the gate's).
With Redis the windows are sorted sets updated by one Lua script (atomic across processes);
without Redis (the embedded system, one process) the same rules run in memory. A request
that cannot pass within `max_wait_s` fails as transient, and its job retries later.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from redis import Redis

from core.adapters.metrics import NO_METRICS
from core.adapters.metrics_families import GATE_WAIT
from core.domain.qbo import Room
from core.errors import QboBatchBudgetError, QboPacedError
from core.ports import Metrics

log = logging.getLogger(__name__)

# The longest a waiting thread sleeps before an exception raised in it can land.
SLEEP_SLICE_S = 0.25


@dataclass(frozen=True)
class RealmLimits:
    """QBO's limits for one company and app (shared/qbo/README.md, Limits)."""

    per_minute: int = 500
    per_second: int = 10
    in_flight: int = 10
    batches_per_minute: int = 40  # batch requests, which also count once toward per_minute
    # An in-flight slot lapses this long after its holder's last renewal (every third of it).
    # It was 150 s, unrenewed, to outlast any request: under bench chaos the slots of each
    # SIGKILLed worker then stayed taken for two and a half minutes, and once every slot was
    # a dead worker's, the company sent nothing for a minute.
    lease_ms: int = 15_000
    # Well inside an actor's 100 s time limit: a job is never interrupted while it waits here.
    max_wait_s: float = 30.0
    # A batch waits this long at most for its window; then its items go as single calls,
    # which have their own room in the minute.
    batch_max_wait_s: float = 2.0
    # QBO counts a request when it arrives, the gate when it leaves: requests sent in order
    # can arrive closer together than they left (a busy worker, a server's queue), so each
    # window is kept this much longer than QBO's. The minute's margin costs under 1 % of its
    # room; the second's must stay small, since 500 a minute is 8.3 a second of its 10.
    minute_margin_ms: int = 500
    second_margin_ms: int = 150

    @property
    def singles_per_minute(self) -> int:
        """The minute's room for single requests: what the batches' share leaves."""
        return self.per_minute - self.batches_per_minute


_WINDOWS = """
local now = tonumber(ARGV[1])
local minute, second = 60000 + tonumber(ARGV[2]), 1000 + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minute)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - minute)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - second)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local function wait_for(key, span)
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + span - now)
end
"""

# KEYS: singles, batches, second, leases. ARGV: now, minute margin, second margin, lease id,
# singles a minute, batches a minute, a second, in flight, lease ms, '1' for a batch.
_ADMIT = (
    _WINDOWS
    + """
local batch = ARGV[10] == '1'
local window = batch and KEYS[2] or KEYS[1]
local allowed = tonumber(batch and ARGV[6] or ARGV[5])
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[8]) then
  return 20
end
if redis.call('ZCARD', window) >= allowed then
  return wait_for(window, minute)
end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[7]) then
  return wait_for(KEYS[3], second)
end
redis.call('ZADD', window, now, ARGV[4])
redis.call('ZADD', KEYS[3], now, ARGV[4])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[9]), ARGV[4])
redis.call('PEXPIRE', window, minute + 1000)
redis.call('PEXPIRE', KEYS[3], second + 1000)
redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[9]))
return 0
"""
)

# KEYS as for _ADMIT. ARGV: now, minute margin, second margin, singles a minute, batches a
# minute. Answers the room left for each kind and, where none is left, the ms until some is.
_ROOM = (
    _WINDOWS
    + """
local singles = tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[1])
local batches = tonumber(ARGV[5]) - redis.call('ZCARD', KEYS[2])
local single_wait, batch_wait = 0, 0
if singles <= 0 then single_wait = wait_for(KEYS[1], minute) end
if batches <= 0 then batch_wait = wait_for(KEYS[2], minute) end
return {singles, batches, single_wait, batch_wait}
"""
)


class RealmGate:
    """Waiting at the gate; subclasses say whether a request may pass now."""

    def __init__(
        self,
        limits: RealmLimits,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        *,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.limits, self._clock, self._sleep = limits, clock, sleep
        self._metrics = metrics  # each request's wait here (GATE_WAIT)
        self._held: dict[str, str] = {}  # the slots this process holds: lease, its realm
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    @contextmanager
    def admit(self, realm_id: str, *, batch: bool = False) -> Iterator[None]:
        """Wait until a request to `realm_id` fits QBO's limits; hold a slot while it runs.

        A batch request needs room in the batches' share of the minute (QBO: 40); when that
        would take longer than `batch_max_wait_s`, QboBatchBudgetError says to go singly.
        """
        lease = uuid.uuid4().hex
        waited = 0.0
        with self._timed(realm_id, batch):
            while (
                wait_ms := self.try_admit(realm_id, lease, int(self._clock() * 1000), batch=batch)
            ) > 0:
                if batch and waited + wait_ms / 1000 > self.limits.batch_max_wait_s:
                    raise QboBatchBudgetError(
                        f"QuickBooks' batch requests for company {realm_id} are spent for now.",
                        retry_after_s=wait_ms / 1000,
                    )
                if waited >= self.limits.max_wait_s:
                    raise QboPacedError(
                        f"QuickBooks' limits for company {realm_id} kept this request waiting "
                        f"{waited:.0f} s; it will be retried.",
                        retry_after_s=wait_ms / 1000,
                    )
                self._pause(wait_ms / 1000)
                waited += wait_ms / 1000
        self._hold(realm_id, lease)
        try:
            yield
        finally:
            with self._held_lock:
                self._held.pop(lease, None)
            self.release(realm_id, lease)

    @contextmanager
    def _timed(self, realm_id: str, batch: bool) -> Iterator[None]:
        """Note how long the block waited, whether it let the request pass or not."""
        started = self._clock()
        try:
            yield
        finally:
            channel = {"realm": realm_id, "channel": "batch" if batch else "single"}
            self._metrics.observe(GATE_WAIT, channel, max(self._clock() - started, 0.0))

    def _hold(self, realm_id: str, lease: str) -> None:
        with self._held_lock:
            self._held[lease] = realm_id
            if self._renewer is None:
                self._renewer = threading.Thread(
                    target=self._renew_forever, name="gate-lease-renewer", daemon=True
                )
                self._renewer.start()

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self.limits.lease_ms / 3000)
            try:
                self.renew_held()
            except Exception:  # Redis is away: the next round tries again
                log.warning("renewing this process's QBO slots failed", exc_info=True)

    def renew_held(self) -> None:
        """Extend the lease of every slot this process's requests hold."""
        with self._held_lock:
            by_realm: dict[str, list[str]] = {}
            for lease, realm_id in self._held.items():
                by_realm.setdefault(realm_id, []).append(lease)
        now_ms = int(self._clock() * 1000)
        for realm_id, leases in by_realm.items():
            self.renew(realm_id, leases, now_ms)

    def _pause(self, seconds: float) -> None:
        """Sleep `seconds` in short slices. Dramatiq's Shutdown and time limit land in a
        thread only between Python instructions, so one time.sleep of a minute's wait held a
        worker's stop (bench chaos: a SIGTERMed worker took its whole 20 s to leave)."""
        deadline = self._clock() + seconds
        while (left := deadline - self._clock()) > 0:
            self._sleep(min(left, SLEEP_SLICE_S))

    def room(self, realm_id: str) -> Room:
        """How many single and batch requests the company's minute still has room for."""
        return self.room_at(realm_id, int(self._clock() * 1000))

    def room_at(self, realm_id: str, now_ms: int) -> Room:
        raise NotImplementedError

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        """Take a slot (0) or say how many ms to wait before asking again."""
        raise NotImplementedError

    def renew(self, realm_id: str, leases: list[str], now_ms: int) -> None:
        """Extend those of `leases` still held to one lease from `now_ms`."""
        raise NotImplementedError

    def release(self, realm_id: str, lease: str) -> None:
        raise NotImplementedError


def _room(limits: RealmLimits, singles: int, batches: int, waits_ms: tuple[int, int]) -> Room:
    single_room = limits.singles_per_minute - singles
    batch_room = limits.batches_per_minute - batches
    wait_ms = min(waits_ms) if single_room <= 0 and batch_room <= 0 else 0
    return Room(singles=max(single_room, 0), batches=max(batch_room, 0), wait_s=wait_ms / 1000)


class RedisRealmGate(RealmGate):
    """The gate shared by every process through Redis."""

    def __init__(
        self,
        client: Redis,
        limits: RealmLimits,
        namespace: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        *,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        super().__init__(limits, clock, sleep, metrics=metrics)
        self._client = client
        self._namespace = namespace
        self._admit = client.register_script(_ADMIT)
        self._room = client.register_script(_ROOM)

    def _keys(self, realm_id: str) -> list[str]:
        base = f"{self._namespace}:gate:{realm_id}"
        return [f"{base}:singles", f"{base}:batches", f"{base}:second", f"{base}:leases"]

    def _margins(self, now_ms: int) -> list[str | int]:
        return [now_ms, self.limits.minute_margin_ms, self.limits.second_margin_ms]

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        limits = self.limits
        args: list[str | int] = [
            *self._margins(now_ms),
            lease,
            limits.singles_per_minute,
            limits.batches_per_minute,
            limits.per_second,
            limits.in_flight,
            limits.lease_ms,
            "1" if batch else "0",
        ]
        return int(self._admit(keys=self._keys(realm_id), args=args))

    def room_at(self, realm_id: str, now_ms: int) -> Room:
        limits = self.limits
        args = [*self._margins(now_ms), limits.singles_per_minute, limits.batches_per_minute]
        singles, batches, single_wait, batch_wait = (
            int(n) for n in self._room(keys=self._keys(realm_id), args=args)
        )
        used = (limits.singles_per_minute - singles, limits.batches_per_minute - batches)
        return _room(limits, *used, (single_wait, batch_wait))

    def renew(self, realm_id: str, leases: list[str], now_ms: int) -> None:
        key, until = self._keys(realm_id)[3], now_ms + self.limits.lease_ms
        with self._client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, dict.fromkeys(leases, until), xx=True)  # xx: not one just released
            pipe.pexpire(key, self.limits.lease_ms)
            pipe.execute()

    def release(self, realm_id: str, lease: str) -> None:
        self._client.zrem(self._keys(realm_id)[3], lease)


class MemoryRealmGate(RealmGate):
    """The same gate for one process (the embedded system)."""

    def __init__(
        self,
        limits: RealmLimits,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        *,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        super().__init__(limits, clock, sleep, metrics=metrics)
        self._lock = threading.Lock()
        self._singles: dict[str, list[int]] = {}
        self._batches: dict[str, list[int]] = {}
        self._second: dict[str, list[int]] = {}
        self._leases: dict[str, dict[str, int]] = {}

    def _slide(self, realm_id: str, now_ms: int) -> tuple[list[int], list[int], list[int]]:
        """The realm's windows with what has slid out dropped; call under the lock."""
        minute = 60_000 + self.limits.minute_margin_ms
        second = 1_000 + self.limits.second_margin_ms
        windows = []
        for kept, span in (
            (self._singles, minute),
            (self._batches, minute),
            (self._second, second),
        ):
            kept[realm_id] = [t for t in kept.get(realm_id, []) if t > now_ms - span]
            windows.append(kept[realm_id])
        leases = self._leases.get(realm_id, {})
        self._leases[realm_id] = {k: v for k, v in leases.items() if v > now_ms}
        return windows[0], windows[1], windows[2]

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        limits = self.limits
        with self._lock:
            singles, batches, second = self._slide(realm_id, now_ms)
            window = batches if batch else singles
            allowed = limits.batches_per_minute if batch else limits.singles_per_minute
            if len(self._leases[realm_id]) >= limits.in_flight:
                return 20
            if len(window) >= allowed:
                return max(1, window[0] + 60_000 + limits.minute_margin_ms - now_ms)
            if len(second) >= limits.per_second:
                return max(1, second[0] + 1_000 + limits.second_margin_ms - now_ms)
            window.append(now_ms)
            second.append(now_ms)
            self._leases[realm_id][lease] = now_ms + limits.lease_ms
            return 0

    def room_at(self, realm_id: str, now_ms: int) -> Room:
        limits = self.limits
        span = 60_000 + limits.minute_margin_ms
        with self._lock:
            singles, batches, _ = self._slide(realm_id, now_ms)
            waits = tuple(max(1, w[0] + span - now_ms) if w else 0 for w in (singles, batches))
            return _room(limits, len(singles), len(batches), (waits[0], waits[1]))

    def renew(self, realm_id: str, leases: list[str], now_ms: int) -> None:
        with self._lock:
            held = self._leases.get(realm_id, {})
            for lease in leases:
                if lease in held:
                    held[lease] = now_ms + self.limits.lease_ms

    def release(self, realm_id: str, lease: str) -> None:
        with self._lock:
            self._leases.get(realm_id, {}).pop(lease, None)


class UnpacedGate(RealmGate):
    """No pacing at all: for a QBO stand-in with its limits off (benchmarks of qbsync itself),
    never for QBO, which would answer 429."""

    def __init__(self) -> None:
        super().__init__(RealmLimits())

    def try_admit(self, realm_id: str, lease: str, now_ms: int, *, batch: bool = False) -> int:
        return 0

    def room_at(self, realm_id: str, now_ms: int) -> Room:
        return Room(singles=self.limits.singles_per_minute, batches=self.limits.batches_per_minute)

    def release(self, realm_id: str, lease: str) -> None:
        return None
