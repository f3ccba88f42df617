"""Every thread at work hears of the worker's shutdown, however fast the first ones leave."""

from __future__ import annotations

import threading

import pytest
from dramatiq.middleware.shutdown import Shutdown, ShutdownNotifications, _CtypesShutdownManager
from dramatiq.middleware.threading import raise_thread_exception

from core.config import Settings
from tests.waiting import wait_for
from worker.broker import build_broker
from worker.shutdown import SnapshotShutdownManager

THREADS = 4


class ThreadsLeaveAtOnce:
    """A logger for the manager that lets each notified thread leave the set before the next
    notification, as a thread that takes its Shutdown at once does (the race of Dramatiq
    2.2.1's loop, made certain)."""

    def __init__(self, left: list[int]) -> None:
        self._left, self._told = left, 0

    def info(self, message: str, *args: object) -> None:
        wait_for(lambda: len(self._left) >= self._told, 10, "the notified thread to leave")
        self._told += 1


def test_the_broker_gets_the_manager_that_notifies_a_snapshot() -> None:
    broker = build_broker(Settings())

    (shutdown,) = [m for m in broker.middleware if isinstance(m, ShutdownNotifications)]
    assert isinstance(shutdown.manager, SnapshotShutdownManager)


def interrupt_threads_at_work(manager_type: type[_CtypesShutdownManager]) -> list[int]:
    """Start THREADS threads at work, shut down with a manager of `manager_type`; the
    threads that took a Shutdown."""
    left: list[int] = []
    manager = manager_type(ThreadsLeaveAtOnce(left))
    registered = threading.Semaphore(0)
    interrupted: list[int] = []

    def at_work() -> None:
        manager.add_notification()
        try:
            registered.release()
            while True:  # Python bytecode, so the asynchronous exception lands at once
                pass
        except Shutdown:
            interrupted.append(threading.get_ident())
        finally:
            manager.remove_notification()  # what after_process_message does
            left.append(threading.get_ident())

    threads = [threading.Thread(target=at_work, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for _ in threads:
        registered.acquire()
    try:
        manager.shutdown()
    finally:
        for thread_id in set(manager.notifications):  # whatever the loop left out
            raise_thread_exception(thread_id, Shutdown)
        for thread in threads:
            thread.join(timeout=10)
    return interrupted


def test_every_thread_is_interrupted_though_each_leaves_the_set_at_once() -> None:
    assert len(interrupt_threads_at_work(SnapshotShutdownManager)) == THREADS


def test_dramatiqs_own_loop_stops_at_the_first_thread_that_left() -> None:
    # Why worker.shutdown exists: when this starts failing, Dramatiq has fixed its loop.
    with pytest.raises(RuntimeError, match="Set changed size during iteration"):
        interrupt_threads_at_work(_CtypesShutdownManager)
