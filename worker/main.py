"""The worker's broker and actors (`python -m worker.run`, Procfile `worker`, runs them).

Builds the broker from the environment and declares the actors on it; worker.run (or the
`dramatiq` command, which a PaaS stop kills at once: see worker.run) consumes with this
module's `broker`.
"""

from __future__ import annotations

import sys

import dramatiq

from core.config import Settings
from worker.actors import declare_actors
from worker.broker import build_broker
from worker.leases import LeaseKeeper

# The worker's threads mostly wait on PostgreSQL, Redis and QBO; a thread whose answer came
# waits for the GIL up to the switch interval while another runs Python. At the default
# 5 ms, a job's thirty round trips could wait longer than they take.
sys.setswitchinterval(0.0005)
broker = build_broker(Settings.from_env())
broker.add_middleware(LeaseKeeper())
dramatiq.set_broker(broker)
declare_actors(broker)
