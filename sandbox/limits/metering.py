"""CorePlus metering: read calls per realm and calendar month, against an optional quota.

Intuit meters data-out calls (read, query, CDC, reports) and lets data-in (create, update) go
unmetered; past the Builder tier's monthly quota CorePlus calls get 429 "until the following
month" (shared/qbo/README.md "Limits"). The month is the company's (US Pacific), read from the
sandbox clock, so advancing the clock into the next month lifts the block. A refused call is
not metered.
"""

from datetime import datetime

from sandbox.clock import COMPANY_ZONE


class CorePlusMeter:
    """Monthly read counts per realm. Not thread-safe: the throttle holds its lock around it."""

    def __init__(self) -> None:
        self._months: dict[str, tuple[tuple[int, int], int]] = {}

    def charge(self, realm_id: str, moment: datetime, quota: int | None) -> bool:
        """Meter one read at `moment`; False (and nothing metered) when it would exceed `quota`."""
        month, used = self._current(realm_id, moment)
        if quota is not None and used >= quota:
            return False
        self._months[realm_id] = (month, used + 1)
        return True

    def used(self, realm_id: str, moment: datetime) -> int:
        """Return the reads metered for `realm_id` in the month of `moment`."""
        return self._current(realm_id, moment)[1]

    def _current(self, realm_id: str, moment: datetime) -> tuple[tuple[int, int], int]:
        local = moment.astimezone(COMPANY_ZONE)
        month = (local.year, local.month)
        seen_month, used = self._months.get(realm_id, (month, 0))
        return month, used if seen_month == month else 0
