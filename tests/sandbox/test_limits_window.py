"""The sliding window under every rate limit: what it counts and when it forgets."""

from __future__ import annotations

from sandbox.limits.window import SlidingWindow


def test_a_window_counts_the_weights_added_within_its_span() -> None:
    window = SlidingWindow(60)
    window.add(0.0)
    window.add(10.0, weight=30)

    assert window.count(59.9) == 31


def test_an_entry_stops_counting_exactly_one_span_after_it_was_added() -> None:
    window = SlidingWindow(60)
    window.add(0.0)
    window.add(30.0)

    assert window.count(59.999) == 2
    assert window.count(60.0) == 1
    assert window.count(90.0) == 0


def test_adding_forgets_old_entries_even_when_nobody_counts() -> None:
    window = SlidingWindow(1)
    for second in range(1000):
        window.add(float(second))

    assert window.count(999.5) == 1
