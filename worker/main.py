"""The worker process: `dramatiq worker.main` (Procfile `worker`).

Builds the broker from the environment and declares the actors on it; the `dramatiq` CLI
then consumes with this module's `broker`.
"""

from __future__ import annotations

import dramatiq

from core.config import Settings
from worker.actors import declare_actors
from worker.broker import build_broker

broker = build_broker(Settings.from_env())
dramatiq.set_broker(broker)
declare_actors(broker)
