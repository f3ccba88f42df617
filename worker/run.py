"""The worker process (Procfile `worker`): `python -m worker.run`, one process of Dramatiq
worker threads that the first SIGTERM stops gracefully.

Why not the `dramatiq` command: a PaaS stops a dyno by sending SIGTERM to every process in
it, and the command's worker process takes that one and then the one its parent forwards; a
second SIGTERM kills a Dramatiq worker process at once ("Killing worker process..."), so a
PaaS stop interrupted nothing: no shutdown notifications, no leases handed back, every job
left to its lease (found by tests/e2e/test_dead_worker and `qbsync bench chaos`). Here one
process runs the threads, and every further signal is only logged while it stops.

Scale by running more of these (more dynos), as `--processes 1` did before.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

import dramatiq

from core.config import Settings
from core.logs import configure_logging
from worker.runtime import close_services

log = logging.getLogger("worker.run")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# A PaaS SIGKILLs 30 s after its SIGTERM: the threads of actors that are not interrupted get
# 20 s to finish, and the process has 10 s left to close its connections.
SHUTDOWN_TIMEOUT_S = 20.0


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m worker.run", description="Run qbsync's job workers in this process."
    )
    parser.add_argument(
        "module", nargs="?", default="worker.main",
        help="the module whose `broker` has the actors (default: worker.main)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default: 8)")
    parser.add_argument(
        "--shutdown-timeout", type=float, default=SHUTDOWN_TIMEOUT_S, metavar="SECONDS",
        help="how long a stop waits for the threads at work (default: %(default)s)",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("%s while stopping: still stopping", signal.Signals(signum).name)
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    configure_logging(Settings.from_env().log_level)
    broker: dramatiq.Broker = importlib.import_module(args.module).broker
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=args.threads)
    worker.start()
    log.info("worker ready: %d threads on %s", args.threads, args.module)
    stop.wait()
    log.info("stopping: the threads at work are interrupted, or get %ss", args.shutdown_timeout)
    worker.stop(timeout=int(args.shutdown_timeout * 1000))
    broker.close()  # Dramatiq has no process_stop hook: its worker_shutdown ones have run
    close_services()
    log.info("worker stopped")


if __name__ == "__main__":
    main()
