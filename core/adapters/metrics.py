"""The Metrics port's adapters: shared counters kept as (family, field) → number.

A field is the JSON list of the family's label values, and for a histogram the bucket (or
"sum") after them. Recording only adds to a dict under a lock: it never raises, and never
waits on the network. `MemoryMetrics` is the store itself (one process: `qbsync dev`,
tests); `RedisMetrics` (core.adapters.metrics_redis) writes what was added to Redis from a
thread of its own, so that every process adds to one count that the web's /metrics reads.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping

from core.adapters.metrics_families import FAMILIES, Family

log = logging.getLogger(__name__)

Key = tuple[str, str]  # family name, field
# Family name → label values (and the bucket or "sum" of a histogram) → number.
Readings = dict[str, dict[tuple[str, ...], float]]
# Distinct fields held at most; past it new ones are dropped (a label's values ran away).
MAX_FIELDS = 20_000


def field_of(family: Family, labels: Mapping[str, str], *suffix: str) -> str:
    """The stored field of `labels`; ValueError unless they are exactly the family's."""
    if set(labels) != set(family.labels):
        raise ValueError(f"{family.name} has labels {family.labels}, not {sorted(labels)}")
    values = [str(labels[name]) for name in family.labels]
    return json.dumps([*values, *suffix], separators=(",", ":"))


def readings_of(fields: Mapping[Key, float]) -> Readings:
    """Stored fields, by family, with their label values decoded."""
    readings: Readings = {}
    for (name, field), value in fields.items():
        readings.setdefault(name, {})[tuple(json.loads(field))] = value
    return readings


class Throttled:
    """Logs a recurring warning at most once every `every_s` seconds, with the count since."""

    def __init__(self, every_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._every_s, self._clock = every_s, clock
        self._last: float | None = None
        self._since = 0

    def warning(self, message: str, *, exc_info: bool = False) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._every_s:
            self._since += 1
            return
        more = f" ({self._since} more since the last)" if self._since else ""
        log.warning("%s%s", message, more, exc_info=exc_info)
        self._last, self._since = now, 0


class MetricStore:
    """Counts kept in this process until `flush`; `read` answers the shared totals."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._held: dict[Key, float] = {}
        self._misuse = Throttled(clock=clock)

    def count(self, name: str, labels: Mapping[str, str], amount: float = 1.0) -> None:
        """Add `amount` to the counter `name` of these labels."""
        try:
            self._add([(name, field_of(FAMILIES[name], labels), amount)])
        except Exception:  # a metric never fails the work it counts
            self._misuse.warning(f"could not count {name} {dict(labels)}", exc_info=True)

    def observe(self, name: str, labels: Mapping[str, str], value: float) -> None:
        """Put `value` in the histogram `name` of these labels: its bucket, and the sum."""
        try:
            family = FAMILIES[name]
            bucket = field_of(family, labels, family.bucket_of(value))
            self._add([(name, bucket, 1.0), (name, field_of(family, labels, "sum"), value)])
        except Exception:  # a metric never fails the work it counts
            self._misuse.warning(f"could not observe {name} {dict(labels)}", exc_info=True)

    def _add(self, changes: list[tuple[str, str, float]]) -> None:
        with self._lock:
            for name, field, amount in changes:
                key = (name, field)
                if key in self._held or len(self._held) < MAX_FIELDS:
                    self._held[key] = self._held.get(key, 0.0) + amount
        self._added()

    def _added(self) -> None:
        """Called after each change (RedisMetrics starts its writer)."""

    def _take(self) -> dict[Key, float]:
        """What was counted since the last take; it is no longer held."""
        with self._lock:
            taken, self._held = self._held, {}
        return taken

    def _give_back(self, taken: Mapping[Key, float]) -> None:
        """Hold again what could not be written (counts add, so order does not matter)."""
        self._add([(name, field, amount) for (name, field), amount in taken.items()])

    def flush(self) -> None:
        """Write what this process counted to the shared store (nothing to do in memory)."""

    def read(self) -> Readings | None:
        """The shared totals; None when the store cannot be read."""
        raise NotImplementedError

    def close(self) -> None:
        """Write what is held, and stop writing by itself."""


class MemoryMetrics(MetricStore):
    """The store for one process: what it counted is all there is."""

    def read(self) -> Readings | None:
        with self._lock:
            return readings_of(self._held)


class NullMetrics:
    """Counts nothing: for QBO clients and gates built without a store (tests, tools)."""

    def count(self, name: str, labels: Mapping[str, str], amount: float = 1.0) -> None:
        return None

    def observe(self, name: str, labels: Mapping[str, str], value: float) -> None:
        return None


NO_METRICS = NullMetrics()
