"""The scheduler process: enqueues the periodic sweeps. Run exactly one (Procfile `scheduler`).

It runs the outbox relay, which sends jobs that were recorded but never handed to the queue,
jobs whose retry is due, and jobs whose worker died holding them; hourly, the token sweep
(refreshes before the refresh token's idle end, warnings of the 5-year limit); every
QBSYNC_CDC_INTERVAL seconds, a change-data-capture poll job per connected firm; and every
QBSYNC_STATUS_EVENTS_INTERVAL seconds, a delivery job per firm with status events due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler

from core.bootstrap import Services, build_services
from core.config import Settings
from core.logs import configure_logging
from core.ports import JobDispatcher
from core.services.qbo_changes import queue_change_polls
from core.services.relay import relay_jobs
from core.services.status_events import queue_status_event_deliveries
from core.services.token_sweep import sweep_tokens
from core.services.tokens import TokenKeeper
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher

log = logging.getLogger(__name__)


def relay_once(services: Services, dispatcher: JobDispatcher) -> int:
    """One relay sweep; a failure is logged and the next sweep tries again."""
    try:
        sent = relay_jobs(services.uow(), dispatcher, services.clock())
    except Exception:  # the database or broker is away: the next sweep runs anyway
        log.exception("relay sweep failed")
        return 0
    if sent:
        log.info("relay sent %d job(s)", sent)
    return sent


def refresh_tokens_once(services: Services, keeper: TokenKeeper) -> int:
    """One token sweep; a failure is logged and the next sweep tries again."""
    try:
        return sweep_tokens(services.uow(), keeper, services.clock())
    except Exception:  # the database is away: the next sweep runs anyway
        log.exception("token sweep failed")
        return 0


def poll_changes_once(services: Services, dispatcher: JobDispatcher) -> int:
    """Queue one change-data-capture poll per working connection; failures are logged."""
    try:
        return queue_change_polls(services.uow(), dispatcher, services.clock())
    except Exception:  # the database is away: the next round runs anyway
        log.exception("queueing change-data-capture polls failed")
        return 0


def deliver_status_events_once(services: Services, dispatcher: JobDispatcher) -> int:
    """Queue a delivery job per firm with status events due; failures are logged."""
    try:
        return queue_status_event_deliveries(services.uow(), dispatcher, services.clock())
    except Exception:  # the database is away: the next round runs anyway
        log.exception("queueing status-event deliveries failed")
        return 0


def add_sweeps(scheduler: BlockingScheduler, services: Services, dispatcher: JobDispatcher) -> None:
    """Register every periodic sweep on `scheduler`: one run at a time each, missed runs
    coalesced into one."""
    keeper = TokenKeeper(services.uow, services.vault, services.oauth, services.clock)
    settings = services.settings
    sweeps: list[tuple[str, Callable[..., int], float, tuple[object, ...]]] = [
        ("tokens", refresh_tokens_once, 3600, (services, keeper)),
        ("relay", relay_once, settings.relay_interval_seconds, (services, dispatcher)),
        ("cdc", poll_changes_once, settings.cdc_interval_seconds, (services, dispatcher)),
        (
            "status_events",
            deliver_status_events_once,
            settings.status_events_interval_seconds,
            (services, dispatcher),
        ),
    ]
    for sweep_id, sweep, seconds, args in sweeps:
        scheduler.add_job(
            sweep, "interval", seconds=seconds, args=args, id=sweep_id,
            max_instances=1, coalesce=True,
        )  # fmt: skip


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    services = build_services(settings)
    scheduler = BlockingScheduler(timezone="UTC")
    add_sweeps(scheduler, services, DramatiqDispatcher(build_broker(settings)))
    log.info("scheduler started; relay every %ss", settings.relay_interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


if __name__ == "__main__":
    main()
