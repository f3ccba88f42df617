"""The throttle itself: each of QBO's limits refuses exactly the call past its number."""

from __future__ import annotations

import pytest

from sandbox.limits import Throttled
from sandbox.state import SandboxState
from tests.sandbox.limits_helpers import frozen_state
from tests.sandbox.qbo_calls import REALM_ID


def spaced(state: SandboxState, seconds: float = 0.11) -> None:
    """Move the clock on so consecutive calls stay under 10 a second."""
    state.clock.advance(seconds)


def test_the_11th_call_in_flight_for_a_realm_and_app_is_refused() -> None:
    state = frozen_state(per_second=None)
    held = [state.throttle.admit(REALM_ID, "read") for _ in range(10)]

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "read")

    assert refused.value.limit == "max_concurrent"
    assert len(held) == state.throttle.in_flight(REALM_ID) == 10


def test_a_released_call_frees_its_place_in_flight() -> None:
    state = frozen_state(per_second=None)
    held = [state.throttle.admit(REALM_ID, "write") for _ in range(10)]

    held[0].release()
    held[0].release()

    state.throttle.admit(REALM_ID, "write")
    assert state.throttle.in_flight(REALM_ID) == 10


def test_another_app_has_its_own_ten_in_flight() -> None:
    state = frozen_state(per_second=None)
    for _ in range(10):
        state.throttle.admit(REALM_ID, "read", app="one")

    state.throttle.admit(REALM_ID, "read", app="two")

    assert state.throttle.in_flight(REALM_ID, "two") == 1


def test_max_concurrent_none_lets_any_number_in_flight() -> None:
    state = frozen_state(per_second=None, max_concurrent=None)

    held = [state.throttle.admit(REALM_ID, "read") for _ in range(50)]

    assert len(held) == 50


def test_the_11th_call_within_a_second_is_refused_and_the_next_second_admits() -> None:
    state = frozen_state()
    for _ in range(10):
        state.throttle.admit(REALM_ID, "read").release()

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "read")
    state.clock.advance(1)
    state.throttle.admit(REALM_ID, "read").release()

    assert refused.value.limit == "per_second"


def test_the_501st_call_within_a_minute_is_refused() -> None:
    state = frozen_state()
    for _ in range(500):
        state.throttle.admit(REALM_ID, "write").release()
        spaced(state)

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "write")

    assert refused.value.limit == "per_minute"


def test_the_minute_window_reopens_sixty_seconds_after_its_first_call() -> None:
    state = frozen_state(per_second=None)
    for _ in range(500):
        state.throttle.admit(REALM_ID, "read").release()

    state.clock.advance(59.9)
    with pytest.raises(Throttled):
        state.throttle.admit(REALM_ID, "read")
    state.clock.advance(0.1)

    state.throttle.admit(REALM_ID, "read").release()


def test_the_500_a_minute_are_shared_by_every_app_of_the_realm() -> None:
    state = frozen_state(per_second=None)
    for n in range(500):
        state.throttle.admit(REALM_ID, "read", app=f"app-{n % 5}").release()

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "read", app="app-new")

    assert refused.value.limit == "per_minute"


def test_another_realm_has_its_own_500_a_minute() -> None:
    state = frozen_state(per_second=None)
    for _ in range(500):
        state.throttle.admit(REALM_ID, "read").release()

    state.throttle.admit("another-realm", "read").release()


def test_the_41st_batch_of_an_app_within_a_minute_is_refused() -> None:
    state = frozen_state()
    for _ in range(40):
        state.throttle.admit(REALM_ID, "batch", items=30).release()
        spaced(state)

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "batch", items=1)
    state.throttle.admit(REALM_ID, "write").release()

    assert refused.value.limit == "batches_per_minute_app"


def test_the_121st_batch_of_a_realm_within_a_minute_is_refused_whatever_the_app() -> None:
    state = frozen_state(per_second=None)
    for n in range(120):
        state.throttle.admit(REALM_ID, "batch", app=f"app-{n % 3}", items=5).release()

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "batch", app="app-new", items=5)

    assert refused.value.limit == "batches_per_minute_realm"


def test_a_batch_counts_once_towards_the_500_a_minute_by_default() -> None:
    state = frozen_state(per_second=None)
    for _ in range(40):
        state.throttle.admit(REALM_ID, "batch", items=30).release()
    for _ in range(460):
        state.throttle.admit(REALM_ID, "write").release()

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "write")

    assert refused.value.limit == "per_minute"


def test_batch_throttle_items_counts_each_item_towards_the_500_a_minute() -> None:
    state = frozen_state(per_second=None, batch_throttle="items")
    for _ in range(16):
        state.throttle.admit(REALM_ID, "batch", items=30).release()
    state.throttle.admit(REALM_ID, "batch", items=20).release()

    with pytest.raises(Throttled) as refused:
        state.throttle.admit(REALM_ID, "batch", items=1)

    assert refused.value.limit == "per_minute"


def test_a_refused_call_takes_no_place_in_any_window() -> None:
    state = frozen_state()
    for _ in range(10):
        state.throttle.admit(REALM_ID, "read").release()
    for _ in range(5):
        with pytest.raises(Throttled):
            state.throttle.admit(REALM_ID, "read")

    state.clock.advance(1)

    for _ in range(10):
        state.throttle.admit(REALM_ID, "read").release()


def test_throttling_off_admits_past_every_limit_and_still_counts() -> None:
    state = frozen_state(throttling=False)
    held = [state.throttle.admit(REALM_ID, "read") for _ in range(600)]
    batches = [state.throttle.admit(REALM_ID, "batch", items=2) for _ in range(130)]

    counters = state.throttle.counters.of(REALM_ID)
    assert (len(held), len(batches)) == (600, 130)
    assert (counters["reads"], counters["batches"], counters["batch_items"]) == (600, 130, 260)
    assert counters["throttled"] == 0


def test_an_unknown_kind_is_a_programming_error() -> None:
    state = frozen_state()

    with pytest.raises(ValueError, match="kind"):
        state.throttle.admit(REALM_ID, "delete")  # type: ignore[arg-type]


def test_an_admission_releases_its_place_when_used_as_a_context_manager() -> None:
    state = frozen_state()

    with state.throttle.admit(REALM_ID, "read"):
        inside = state.throttle.in_flight(REALM_ID)

    assert (inside, state.throttle.in_flight(REALM_ID)) == (1, 0)
