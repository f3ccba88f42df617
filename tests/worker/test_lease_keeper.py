"""A stopping worker keeps renewing its leases until its threads are done (worker.leases)."""

from __future__ import annotations

import threading

import dramatiq
from dramatiq.brokers.stub import StubBroker

from tests.waiting import wait_for
from worker.leases import LeaseKeeper


def test_leases_are_renewed_while_a_stopping_worker_finishes_its_message_and_not_after() -> None:
    renewals = 0
    renewed = threading.Condition()

    def renew() -> None:
        nonlocal renewals
        with renewed:
            renewals += 1
            renewed.notify_all()

    def renewals_after(count: int) -> bool:
        with renewed:
            return renewals > count

    keeper = LeaseKeeper(every_s=0.01, renew=renew)
    broker = StubBroker()
    broker.add_middleware(keeper)
    at_work, may_finish = threading.Event(), threading.Event()

    @dramatiq.actor(broker=broker)
    def long_job() -> None:
        at_work.set()
        may_finish.wait(10)

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=10)
    worker.start()
    long_job.send()
    assert at_work.wait(10)
    stopping = threading.Thread(target=worker.stop, kwargs={"timeout": 10_000})
    stopping.start()
    wait_for(lambda: not worker.workers[0].running, 10, "the worker's stop to begin")

    seen = renewals
    wait_for(lambda: renewals_after(seen), 10, "a renewal while the message finishes")

    may_finish.set()
    stopping.join(10)
    assert not stopping.is_alive()
    assert not keeper.renewing  # the stop is over: nothing renews any more
    broker.close()
