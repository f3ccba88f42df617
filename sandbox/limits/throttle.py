"""The throttle every QBO call passes: `admit(realm_id, kind)` or a 429.

Any view may use it; the limits middleware admits every authenticated /v3 call, and a batch
view charges each item with `charge_item` (a read item over the CorePlus quota gets its own 429
fault while the other items run).
"""

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal

from sandbox.limits.counters import Counters
from sandbox.limits.metering import CorePlusMeter
from sandbox.limits.switches import LimitSwitches
from sandbox.limits.window import SlidingWindow

Kind = Literal["read", "write", "batch"]
KINDS: tuple[Kind, ...] = ("read", "write", "batch")
DEFAULT_APP = "default"
MINUTE, SECOND = 60.0, 1.0


class Throttled(Exception):
    """A call over one of QBO's limits; `limit` names the switch that refused it."""

    def __init__(self, limit: str) -> None:
        super().__init__(f"over the {limit} limit")
        self.limit = limit


class Admission:
    """An admitted call's place among those in flight; release it when the answer is done."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        """Free the in-flight slot; releasing twice does nothing."""
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> "Admission":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


@dataclass(frozen=True)
class _Rate:
    """One rate limit as it applies to a call: its window, the call's weight, the maximum."""

    window: SlidingWindow
    weight: int
    maximum: int
    switch: str


class Throttle:
    """QBO's per-realm and per-app limits over sliding windows, CorePlus metering, counters.

    `options` and `now` are read on every call, so switches and the sandbox clock changed at
    runtime apply at once. One lock makes each admission's check-then-record atomic.
    """

    def __init__(self, options: Callable[[], LimitSwitches], now: Callable[[], datetime]) -> None:
        self._options = options
        self._now = now
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, ...], SlidingWindow] = {}
        self._in_flight: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._meter = CorePlusMeter()
        self._apps: dict[str, str] = {}
        self.counters = Counters()

    def admit(self, realm_id: str, kind: Kind, app: str = DEFAULT_APP, items: int = 0) -> Admission:
        """Admit one call of `kind` (a batch carries `items`), or raise Throttled."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        options, moment = self._options(), self._now()
        seconds = moment.timestamp()
        with self._lock:
            rates = self._rates(options, realm_id, app, kind, items)
            try:
                if options.throttling:
                    self._check(options, realm_id, app, rates, seconds)
                if kind == "read" and not self._meter.charge(
                    realm_id, moment, options.coreplus_quota
                ):
                    raise Throttled("coreplus_quota")
            except Throttled:
                self.counters.add(realm_id, "throttled")
                raise
            for rate in rates:
                rate.window.add(seconds, rate.weight)
            self._in_flight[(realm_id, app)] += 1
        self._count_admitted(realm_id, kind, items)
        return Admission(lambda: self._leave(realm_id, app))

    def charge_item(self, realm_id: str, kind: Literal["read", "write"]) -> None:
        """Meter one batch item as Intuit meters a call; Throttled for a read over the quota."""
        if kind == "read":
            options, moment = self._options(), self._now()
            with self._lock:
                admitted = self._meter.charge(realm_id, moment, options.coreplus_quota)
            if not admitted:
                self.counters.add(realm_id, "throttled")
                raise Throttled("coreplus_quota")
        self.counters.add(realm_id, "reads" if kind == "read" else "writes")

    def in_flight(self, realm_id: str, app: str = DEFAULT_APP) -> int:
        """Return how many calls of `app` to `realm_id` are admitted and not yet released."""
        with self._lock:
            return self._in_flight[(realm_id, app)]

    def coreplus_used(self, realm_id: str) -> int:
        """Return the CorePlus calls metered for `realm_id` this month."""
        with self._lock:
            return self._meter.used(realm_id, self._now())

    def register_app(self, token: str, app: str) -> None:
        """Say which app calls with `token`; unregistered tokens belong to DEFAULT_APP."""
        with self._lock:
            self._apps[token] = app

    def app_of(self, token: str) -> str:
        """Return the app that calls with `token`."""
        with self._lock:
            return self._apps.get(token, DEFAULT_APP)

    def forget_windows(self) -> None:
        """Empty every rate window and the month's metering (calls in flight stay counted)."""
        with self._lock:
            self._windows.clear()
            self._meter = CorePlusMeter()

    def _rates(
        self, options: LimitSwitches, realm_id: str, app: str, kind: Kind, items: int
    ) -> list[_Rate]:
        """Return each rate limit that applies to this call and is on."""
        weight = max(items, 1) if kind == "batch" and options.batch_throttle == "items" else 1
        rates = [
            self._rate(("minute", realm_id), MINUTE, weight, options.per_minute, "per_minute"),
            self._rate(("second", realm_id, app), SECOND, 1, options.per_second, "per_second"),
        ]
        if kind == "batch":
            per_app, per_realm = options.batches_per_minute_app, options.batches_per_minute_realm
            rates += [
                self._rate(("batch", realm_id, app), MINUTE, 1, per_app, "batches_per_minute_app"),
                self._rate(("batch", realm_id), MINUTE, 1, per_realm, "batches_per_minute_realm"),
            ]
        return [rate for rate in rates if rate is not None]

    def _rate(
        self, key: tuple[str, ...], span: float, weight: int, maximum: int | None, switch: str
    ) -> _Rate | None:
        if maximum is None:
            return None
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = SlidingWindow(span)
        return _Rate(window, weight, maximum, switch)

    def _check(
        self,
        options: LimitSwitches,
        realm_id: str,
        app: str,
        rates: list[_Rate],
        seconds: float,
    ) -> None:
        """Raise Throttled naming the first limit this call would go over."""
        limit = options.max_concurrent
        if limit is not None and self._in_flight[(realm_id, app)] >= limit:
            raise Throttled("max_concurrent")
        for rate in rates:
            if rate.window.count(seconds) + rate.weight > rate.maximum:
                raise Throttled(rate.switch)

    def _leave(self, realm_id: str, app: str) -> None:
        with self._lock:
            self._in_flight[(realm_id, app)] -= 1

    def _count_admitted(self, realm_id: str, kind: Kind, items: int) -> None:
        if kind == "batch":
            self.counters.add(realm_id, "batches")
            self.counters.add(realm_id, "batch_items", items)
        else:
            self.counters.add(realm_id, "reads" if kind == "read" else "writes")
