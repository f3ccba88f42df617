"""Each company's item Ids by name, kept for a while by the worker process.

An invoice names its services' QBO items; looking each up again cost every invoice push, and
every retry of one, a QBO read (of the company's 500 a minute) and one more request that a
fault could hit. An item deleted or made inactive in QBO meanwhile fails the write that names
it with 610 or 2500, and any such fault forgets the company's kept items (QboClient), so the
next push looks them up again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

# As long as a worker keeps a company's customer list to decide syncs by name from.
KEPT_SECONDS = 900.0
MAX_KEPT = 100_000  # items of every company together
REFERENCE_FAULTS = frozenset({"610", "2500"})  # "Object Not Found", "Invalid Reference Id"


class KnownItems:
    """Item Ids by (realm, name), shared by the threads of a process."""

    def __init__(
        self, kept_seconds: float = KEPT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ids: TTLCache[tuple[str, str], str] = TTLCache(MAX_KEPT, kept_seconds, timer=clock)
        self._lock = threading.Lock()

    def get(self, realm_id: str, name: str) -> str | None:
        with self._lock:
            return self._ids.get((realm_id, name))

    def keep(self, realm_id: str, name: str, item_id: str) -> None:
        with self._lock:
            self._ids[(realm_id, name)] = item_id

    def forget(self, realm_id: str) -> None:
        """Drop every item kept for this company."""
        with self._lock:
            for key in [key for key in self._ids if key[0] == realm_id]:
                del self._ids[key]
