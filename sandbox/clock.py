"""Time as QBO writes it (company zone, with an offset), and the sandbox's settable clock."""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _company_zone() -> tzinfo:
    # QBO answers in the company's zone (US Pacific for Intuit's sandbox companies), so clients
    # that drop the offset break here as they would against QBO. Without a tz database (bare
    # Windows) fall back to Pacific standard time.
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=-8), "PST")


COMPANY_ZONE = _company_zone()


def now() -> datetime:
    """Return the current time in the company's zone."""
    return datetime.now(COMPANY_ZONE)


def meta_time(moment: datetime) -> str:
    """Format an entity timestamp (MetaData): seconds and offset, e.g. 2026-11-20T09:15:02-08:00."""
    return moment.astimezone(COMPANY_ZONE).isoformat(timespec="seconds")


def reply_time(moment: datetime) -> str:
    """Format the `time` of an answer: milliseconds and offset."""
    return moment.astimezone(COMPANY_ZONE).isoformat(timespec="milliseconds")


def epoch_ms(moment: datetime) -> int:
    """Return `moment` as epoch milliseconds, as the API gateway writes `time` in a 401."""
    return int(moment.timestamp() * 1000)


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; one without an offset is read in the company's zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=COMPANY_ZONE)


class SandboxClock:
    """The sandbox's time: a source (real time by default) shifted by a settable offset.

    Tests and controls move it instead of sleeping: `advance(seconds)` jumps forward (or back),
    `set(moment)` makes now read `moment`. Time keeps flowing from there as the source flows, so
    with a fixed source (`SandboxState(now=lambda: moment)`) it moves only when told.
    """

    def __init__(self, source: Callable[[], datetime] = now) -> None:
        self._source = source
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the sandbox's current time."""
        with self._lock:
            return self._source() + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock `seconds` forward (backward if negative); return the new time."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            return self._source() + self._offset

    def set(self, moment: datetime) -> None:
        """Make the clock read `moment` now; `moment` must carry an offset."""
        if moment.tzinfo is None:
            raise ValueError("the sandbox clock needs an aware datetime (one with an offset)")
        with self._lock:
            self._offset = moment - self._source()
