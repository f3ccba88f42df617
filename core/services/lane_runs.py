"""How many runs of each lane this process has at work, so that a message its lane's runs
will take care of is left to them without a word to the database.

A lane's message carries the lane it belongs to (a hint its sender read off the job). When
this process alone has LANE_RUNS runs at work on that lane, the lane has at least that many
anywhere, and the message is left to them at once; otherwise the database counts the runs of
every process. Nothing depends on this count for correctness: it only saves the round trip
that a firm's thousands of messages would each cost while its runs are busy.
"""

from __future__ import annotations

import threading
from collections import Counter

from core.domain.jobs import Lane

LaneKey = tuple[int, Lane]  # the firm, and its lane


class LaneRuns:
    """The lane runs at work in this process, shared by its worker threads."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._running: Counter[LaneKey] = Counter()

    def try_enter(self, lane: LaneKey) -> bool:
        """Count one more run of `lane`, unless this process has `limit` at work on it."""
        with self._lock:
            if self._running[lane] >= self._limit:
                return False
            self._running[lane] += 1
            return True

    def leave(self, lane: LaneKey) -> None:
        with self._lock:
            self._running[lane] -= 1
            if self._running[lane] <= 0:
                del self._running[lane]
