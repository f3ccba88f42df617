"""Request counters per realm: what the sandbox served, refused and broke, readable and resettable.

reads / writes: CorePlus (data-out: query, read, CDC, reports) and Core (data-in) calls served,
    batch items included once the batch view charges them (`Throttle.charge_item`).
batches / batch_items: batch requests served and the items they carried.
throttled: 429 answers, whether a limit, the CorePlus quota or fault injection gave them.
injected_5xx / timeouts / dropped: faults the sandbox injected (see `sandbox.control.chaos`).
"""

import threading
from collections import Counter

COUNTERS = (
    "reads",
    "writes",
    "batches",
    "batch_items",
    "throttled",
    "injected_5xx",
    "timeouts",
    "dropped",
)


class Counters:
    """Thread-safe counts per realm; a realm reads as all zeros until something happens to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_realm: dict[str, Counter[str]] = {}

    def add(self, realm_id: str, name: str, amount: int = 1) -> None:
        """Add `amount` to counter `name` of `realm_id`."""
        if name not in COUNTERS:
            raise ValueError(f"unknown counter {name!r}")
        with self._lock:
            self._by_realm.setdefault(realm_id, Counter())[name] += amount

    def of(self, realm_id: str) -> dict[str, int]:
        """Return every counter of one realm, zeros included."""
        with self._lock:
            counts = self._by_realm.get(realm_id, Counter())
            return {name: counts[name] for name in COUNTERS}

    def all(self) -> dict[str, dict[str, int]]:
        """Return the counters of every realm that has any."""
        with self._lock:
            realm_ids = list(self._by_realm)
        return {realm_id: self.of(realm_id) for realm_id in realm_ids}

    def reset(self, realm_id: str | None = None) -> None:
        """Zero the counters of one realm, or of all realms when `realm_id` is None."""
        with self._lock:
            if realm_id is None:
                self._by_realm.clear()
            else:
                self._by_realm.pop(realm_id, None)

    def load(self, counts: dict[str, dict[str, int]]) -> None:
        """Replace every counter with `counts` (as `all()` returned them)."""
        with self._lock:
            self._by_realm = {
                realm_id: Counter({n: int(v) for n, v in named.items() if n in COUNTERS})
                for realm_id, named in counts.items()
            }
