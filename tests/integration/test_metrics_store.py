"""The shared counters: what several processes count adds up in one store, and a Redis that
is down or silent never reaches the code that counts (the chaos run stops Redis for 30 s)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import fakeredis
import pytest
from redis import Redis

from core.adapters.metrics import MemoryMetrics, MetricStore
from core.adapters.metrics_families import GATE_WAIT, JOB_DURATION, JOBS, QBO_FAULTS
from core.adapters.metrics_redis import TIMEOUT_S, RedisMetrics, metrics_client
from tests.servers import HAS_REDIS, REDIS_URL, drop_namespace, redis_namespace

SYNCED = {"kind": "sync_account", "outcome": "synced"}
PUSH = {"kind": "push_invoice"}
NEVER = 3600.0  # the writer thread's period in these tests: each test flushes itself
SERVERS = ["fakeredis", *(["redis"] if HAS_REDIS else [])]


@pytest.fixture(params=SERVERS)
def client(request: pytest.FixtureRequest) -> Iterator[Redis]:
    client = fakeredis.FakeRedis() if request.param == "fakeredis" else Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def namespace(client: Redis) -> Iterator[str]:
    namespace = redis_namespace()
    yield namespace
    drop_namespace(client, namespace)


@pytest.fixture(params=["memory", *SERVERS])
def store(request: pytest.FixtureRequest) -> Iterator[MetricStore]:
    if request.param == "memory":
        yield MemoryMetrics()
        return
    client = fakeredis.FakeRedis() if request.param == "fakeredis" else Redis.from_url(REDIS_URL)
    namespace = redis_namespace()
    redis_store = RedisMetrics(client, namespace, flush_every_s=NEVER)
    yield redis_store
    redis_store.close()
    drop_namespace(client, namespace)
    client.close()


def test_a_store_answers_its_counts_and_histograms(store: MetricStore) -> None:
    store.count(JOBS, SYNCED)
    store.count(JOBS, SYNCED, 2)
    for seconds in (0.07, 0.3, 0.3, 500):
        store.observe(JOB_DURATION, PUSH, seconds)

    readings = store.read()

    assert readings is not None
    assert readings[JOBS] == {("sync_account", "synced"): 3}
    durations = readings[JOB_DURATION]
    assert durations[("push_invoice", "0.1")] == 1
    assert durations[("push_invoice", "0.5")] == 2
    assert durations[("push_invoice", "+Inf")] == 1
    assert durations[("push_invoice", "sum")] == pytest.approx(500.67)


def test_labels_that_are_not_the_familys_are_dropped_and_logged_not_raised(
    store: MetricStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.count(JOBS, {"kind": "sync_account"})  # no outcome
    store.observe(JOB_DURATION, {"kind": "push_invoice", "realm": "1"}, 1.0)
    store.count("qbsync_no_such_total", {})

    assert store.read() == {}
    assert "could not count qbsync_jobs_total" in caplog.text


def test_what_several_processes_count_adds_up_in_redis(client: Redis, namespace: str) -> None:
    web, worker, other_worker = (
        RedisMetrics(client, namespace, flush_every_s=NEVER) for _ in range(3)
    )
    worker.count(JOBS, SYNCED)
    other_worker.count(JOBS, SYNCED, 2)
    other_worker.observe(GATE_WAIT, {"realm": "9341", "channel": "single"}, 0.02)
    worker.flush()
    other_worker.flush()
    web.count(JOBS, SYNCED)  # written by its own read

    readings = web.read()

    assert readings is not None
    assert readings[JOBS] == {("sync_account", "synced"): 4}
    assert readings[GATE_WAIT] == {("9341", "single", "0.1"): 1, ("9341", "single", "sum"): 0.02}
    assert worker.read() == readings  # any process reads the same totals


def test_the_writer_thread_writes_what_was_counted(client: Redis, namespace: str) -> None:
    counting = RedisMetrics(client, namespace, flush_every_s=0.01)
    reading = RedisMetrics(client, namespace, flush_every_s=NEVER)
    counting.count(JOBS, SYNCED)

    def written() -> bool:
        readings = reading.read() or {}
        return readings.get(JOBS) == {("sync_account", "synced"): 1}

    try:
        deadline = time.monotonic() + 10
        while not written():  # polling Redis for the thread's write, not a synchronisation
            assert time.monotonic() < deadline, "the writer thread wrote nothing"
            time.sleep(0.01)
    finally:
        counting.close()


def test_a_store_closed_at_its_process_stop_writes_what_it_holds(
    client: Redis, namespace: str
) -> None:
    stopping = RedisMetrics(client, namespace, flush_every_s=NEVER)
    stopping.count(JOBS, SYNCED)

    stopping.close()

    readings = RedisMetrics(client, namespace, flush_every_s=NEVER).read()
    assert readings is not None and readings[JOBS] == {("sync_account", "synced"): 1}


def test_counts_made_while_redis_is_down_are_written_once_it_answers() -> None:
    server = fakeredis.FakeServer()
    store = RedisMetrics(fakeredis.FakeRedis(server=server), "ns", flush_every_s=NEVER)
    store.count(JOBS, SYNCED)
    server.connected = False  # Redis stops

    store.count(JOBS, SYNCED)
    store.observe(JOB_DURATION, PUSH, 1.5)
    store.flush()  # fails: kept for later
    assert store.read() is None

    server.connected = True
    store.count(JOBS, SYNCED)
    store.flush()
    reader = RedisMetrics(fakeredis.FakeRedis(server=server), "ns", flush_every_s=NEVER)
    readings = reader.read()
    assert readings is not None
    assert readings[JOBS] == {("sync_account", "synced"): 3}
    assert readings[JOB_DURATION][("push_invoice", "sum")] == 1.5


def test_a_redis_that_refuses_connections_costs_the_counting_code_nothing() -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    store = RedisMetrics(metrics_client(f"redis://127.0.0.1:{port}/0"), "ns", flush_every_s=NEVER)

    started = time.monotonic()
    for _ in range(1_000):
        store.count(QBO_FAULTS, {"realm": "9341", "code": "10000", "kind": "transient"})
    store.flush()
    assert store.read() is None
    assert time.monotonic() - started < 1.0  # refused at once: no retries, no backoff


def test_a_redis_that_does_not_answer_is_given_up_on_after_its_timeout() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        store = RedisMetrics(metrics_client(url), "ns", flush_every_s=NEVER)
        store.count(JOBS, SYNCED)

        started = time.monotonic()
        store.flush()
        assert store.read() is None
        assert time.monotonic() - started < 4 * TIMEOUT_S + 1  # two calls, each timed out


def test_a_failing_redis_is_logged_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    server = fakeredis.FakeServer()
    server.connected = False
    store = RedisMetrics(
        fakeredis.FakeRedis(server=server), "ns", flush_every_s=NEVER, clock=lambda: now[0]
    )
    caplog.set_level(logging.WARNING, logger="core.adapters.metrics")

    for at in (0.0, 1.0, 59.0, 61.0):
        now[0] = at
        store.count(JOBS, SYNCED)
        store.flush()

    warnings = [r.getMessage() for r in caplog.records if "writing metrics" in r.getMessage()]
    assert len(warnings) == 2
    assert warnings[1].endswith("(2 more since the last)")
