"""The per-realm gate: QBO's three windows, leases that expire, and one gate for all processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import fakeredis
import pytest
from redis import Redis

from core.adapters.gate import (
    SLEEP_SLICE_S,
    MemoryRealmGate,
    RealmGate,
    RealmLimits,
    RedisRealmGate,
)
from core.domain.qbo import Room
from core.errors import QboBatchBudgetError, QboTransientError
from tests.servers import HAS_REDIS, REDIS_URL, drop_namespace, redis_namespace

LIMITS = RealmLimits()
T0 = 1_800_000_000_000  # ms

GATES = ["memory", "fakeredis", *(["redis"] if HAS_REDIS else [])]


@pytest.fixture(params=GATES)
def gate(request: pytest.FixtureRequest) -> Iterator[RealmGate]:
    if request.param == "memory":
        yield MemoryRealmGate(LIMITS)
        return
    client: Redis = (
        fakeredis.FakeRedis() if request.param == "fakeredis" else Redis.from_url(REDIS_URL)
    )
    namespace = redis_namespace()
    yield RedisRealmGate(client, LIMITS, namespace)
    drop_namespace(client, namespace)
    client.close()


def lease() -> str:
    return uuid.uuid4().hex


@dataclass
class FakeClock:
    """Seconds since the epoch, from T0, that only `sleep` moves on; it keeps each sleep."""

    at: float = T0 / 1000
    slept: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += seconds


def test_ten_requests_may_be_in_flight_and_the_eleventh_waits_for_a_release(
    gate: RealmGate,
) -> None:
    held = [lease() for _ in range(10)]
    assert [gate.try_admit("r", h, T0 + i * 100) for i, h in enumerate(held)] == [0] * 10

    assert gate.try_admit("r", lease(), T0 + 1_200) > 0
    gate.release("r", held[0])
    assert gate.try_admit("r", lease(), T0 + 1_200) == 0


def test_ten_a_second_pass_and_the_eleventh_waits_for_the_second_to_slide(gate: RealmGate) -> None:
    for i in range(10):
        taken = lease()
        assert gate.try_admit("r", taken, T0 + i) == 0
        gate.release("r", taken)

    wait = gate.try_admit("r", lease(), T0 + 10)
    # the first went at T0: its second, and the margin for arrival skew, end 10 ms later
    assert wait == 1_000 + gate.limits.second_margin_ms - 10
    assert gate.try_admit("r", lease(), T0 + 10 + wait) == 0


def test_single_calls_get_460_a_minute_and_leave_the_batches_their_40(gate: RealmGate) -> None:
    for i in range(460):
        taken = lease()
        assert gate.try_admit("r", taken, T0 + i * 120) == 0  # 8 a second: under 10/s
        gate.release("r", taken)
    now = T0 + 460 * 120

    wait = gate.try_admit("r", lease(), now)

    assert wait == 60_000 + gate.limits.minute_margin_ms - 460 * 120  # the first slides out
    for i in range(40):  # the batches' share of the minute is still there
        taken = lease()
        assert gate.try_admit("r", taken, now + i * 200, batch=True) == 0
        gate.release("r", taken)
    assert gate.try_admit("r", lease(), now + wait) == 0


def test_the_room_left_counts_each_kind_and_says_when_some_opens(gate: RealmGate) -> None:
    assert gate.room_at("r", T0) == Room(singles=460, batches=40)
    for i in range(460):
        taken = lease()
        assert gate.try_admit("r", taken, T0 + i * 120) == 0
        gate.release("r", taken)
    now = T0 + 460 * 120
    for i in range(40):
        taken = lease()
        assert gate.try_admit("r", taken, now + i * 120, batch=True) == 0
        gate.release("r", taken)
    now += 40 * 120

    room = gate.room_at("r", now)

    # Nothing fits: the first single call slides out of the minute first.
    assert room == Room(singles=0, batches=0, wait_s=(60_000 + 500 - 500 * 120) / 1000)
    assert gate.room_at("r", now + int(room.wait_s * 1000)).singles == 1
    assert gate.room_at("other", now) == Room(singles=460, batches=40)


def test_a_lease_whose_holder_died_expires(gate: RealmGate) -> None:
    for i in range(10):
        assert gate.try_admit("r", lease(), T0 + i * 100) == 0  # never released: killed
    assert gate.try_admit("r", lease(), T0 + 2_000) > 0
    assert gate.try_admit("r", lease(), T0 + LIMITS.lease_ms + 1_000) == 0


def test_realms_have_gates_of_their_own(gate: RealmGate) -> None:
    for i in range(10):
        assert gate.try_admit("busy", lease(), T0 + i * 100) == 0
    assert gate.try_admit("quiet", lease(), T0 + 1_000) == 0


def test_waiting_too_long_fails_as_transient_so_the_job_retries() -> None:
    clock = FakeClock()
    slept = clock.slept
    gate = MemoryRealmGate(RealmLimits(in_flight=1, max_wait_s=1), clock.now, clock.sleep)
    with (
        gate.admit("r"),
        pytest.raises(QboTransientError, match="kept this request waiting"),
        gate.admit("r"),
    ):
        pass
    assert sum(slept) == pytest.approx(1, abs=0.01)  # about max_wait_s, not at once


def test_forty_batches_a_minute_pass_and_single_calls_still_go_while_batches_wait(
    gate: RealmGate,
) -> None:
    for i in range(40):
        taken = lease()
        assert gate.try_admit("r", taken, T0 + i * 200, batch=True) == 0
        gate.release("r", taken)
    now = T0 + 40 * 200

    wait = gate.try_admit("r", lease(), now, batch=True)

    # until the first batch slides out
    assert wait == 60_000 + gate.limits.minute_margin_ms - 40 * 200
    assert gate.try_admit("r", lease(), now) == 0  # a single call has room of its own
    assert gate.try_admit("r", lease(), now + wait, batch=True) == 0


def test_a_batch_that_would_wait_for_the_minute_is_refused_at_once_so_its_items_go_singly() -> None:
    clock = FakeClock()
    slept = clock.slept
    gate = MemoryRealmGate(RealmLimits(), clock.now, clock.sleep)
    for _ in range(40):
        with gate.admit("r", batch=True):
            pass
    before = len(slept)
    with pytest.raises(QboBatchBudgetError), gate.admit("r", batch=True):
        pass
    assert sum(slept[before:]) <= gate.limits.batch_max_wait_s  # not the rest of the minute
    with gate.admit("r"):  # a single call still goes
        pass


def test_a_long_wait_is_slept_in_slices_so_a_shutdown_reaches_the_waiting_thread() -> None:
    clock = FakeClock()
    slept = clock.slept
    gate = MemoryRealmGate(RealmLimits(per_second=1), clock.now, clock.sleep)
    with gate.admit("r"):
        pass
    with gate.admit("r"):  # the second's window opens about a second later
        pass

    assert sum(slept) > 1 and max(slept) <= SLEEP_SLICE_S


def test_a_live_holders_slot_is_renewed_and_a_dead_holders_lapses_after_one_lease(
    gate: RealmGate,
) -> None:
    live, dead = lease(), lease()  # a dead holder's process renews nothing
    assert gate.try_admit("r", live, T0) == 0 and gate.try_admit("r", dead, T0) == 0

    gate.renew("r", [live], T0 + LIMITS.lease_ms - 1_000)  # its process's renewer, in time

    later = T0 + LIMITS.lease_ms + 1_000
    assert [gate.try_admit("r", lease(), later) for _ in range(8)] == [0] * 8  # the dead one's
    assert gate.try_admit("r", lease(), later) == 0
    assert gate.try_admit("r", lease(), later) > 0  # the live one's slot still counts


def test_the_slots_a_process_holds_are_the_ones_it_renews() -> None:
    clock = FakeClock()
    gate = MemoryRealmGate(RealmLimits(in_flight=1), clock.now, clock.sleep)
    with gate.admit("r"):  # a request that outlasts a lease
        clock.sleep((LIMITS.lease_ms - 1_000) / 1000)
        gate.renew_held()
        clock.sleep(2.0)
        assert gate.try_admit("r", lease(), int(clock.now() * 1000)) > 0  # still held
    assert gate.try_admit("r", lease(), int(clock.now() * 1000)) == 0  # released when it ended
