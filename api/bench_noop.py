"""No-op jobs on the bench's broker: `dramatiq api.bench_noop`, Dramatiq's own throughput,
against which `qbsync bench sync` measures the pipeline of sync jobs (issue 16, part b).

Built like worker.main: the broker from the environment, one actor on the jobs queue.
"""

from __future__ import annotations

import dramatiq

from core.config import Settings
from worker.broker import build_broker
from worker.dispatch import QUEUE

NOOP = "bench_noop"

broker = build_broker(Settings.from_env())
dramatiq.set_broker(broker)


@dramatiq.actor(actor_name=NOOP, queue_name=QUEUE, broker=broker, max_retries=0)
def noop() -> None:
    """Do nothing: what the broker and the worker cost alone."""
