"""A sliding-window counter: how much was admitted in the last `span` seconds."""

from collections import deque


class SlidingWindow:
    """Weights admitted at moments (seconds), counted over the `span` seconds before now.

    An entry admitted at t counts until t + span, exclusive: a window of 60 s that filled at
    t = 0 admits again at t = 60. Not thread-safe: the throttle holds its lock around it.
    """

    def __init__(self, span: float) -> None:
        self.span = span
        self._entries: deque[tuple[float, int]] = deque()
        self._total = 0

    def count(self, now: float) -> int:
        """Return the weight admitted in (now - span, now]."""
        self._forget_before(now - self.span)
        return self._total

    def add(self, now: float, weight: int = 1) -> None:
        """Record `weight` admitted at `now`."""
        # Forget here too, so a window nobody checks (throttling off) does not grow forever.
        self._forget_before(now - self.span)
        self._entries.append((now, weight))
        self._total += weight

    def _forget_before(self, horizon: float) -> None:
        while self._entries and self._entries[0][0] <= horizon:
            _, weight = self._entries.popleft()
            self._total -= weight
