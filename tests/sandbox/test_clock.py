"""The sandbox's settable clock: tests and controls move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.clock import SandboxClock
from sandbox.state import SandboxState

T0 = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def test_a_state_built_with_now_reads_that_time() -> None:
    state = SandboxState(now=lambda: T0)

    assert state.now() == T0


def test_advancing_the_clock_moves_the_states_time_forward() -> None:
    state = SandboxState(now=lambda: T0)

    state.clock.advance(3600)

    assert state.now() == T0 + timedelta(hours=1)


def test_setting_the_clock_makes_it_read_that_moment_and_advance_from_there() -> None:
    clock = SandboxClock(lambda: T0)
    moment = datetime(2031, 1, 1, tzinfo=UTC)

    clock.set(moment)
    clock.advance(60)

    assert clock.now() == moment + timedelta(minutes=1)


def test_a_set_clock_keeps_flowing_with_its_source() -> None:
    ticks = iter([T0, T0, T0 + timedelta(seconds=5)])
    clock = SandboxClock(lambda: next(ticks))
    clock.now()

    clock.set(T0 + timedelta(days=1))

    assert clock.now() == T0 + timedelta(days=1, seconds=5)


def test_the_clock_refuses_a_moment_without_an_offset() -> None:
    with pytest.raises(ValueError, match="aware"):
        SandboxClock().set(datetime(2026, 1, 1))


def test_the_default_clock_follows_real_time() -> None:
    before = datetime.now(UTC)

    reading = SandboxState().now()

    assert before - timedelta(seconds=1) <= reading <= datetime.now(UTC) + timedelta(seconds=1)
