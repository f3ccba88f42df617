"""The outbox relay: hands over jobs that were recorded but never sent, or are due again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.ports import JobDispatcher, UnitOfWork
from core.services.accounts import publish_job

log = logging.getLogger(__name__)

# A job sent this long ago and still unclaimed is sent again: its message may have been lost
# with a Redis restart. Duplicate messages are harmless; the claim lets one through.
REPUBLISH_AFTER = timedelta(minutes=5)


def relay_jobs(uow: UnitOfWork, dispatcher: JobDispatcher, now: datetime, limit: int = 500) -> int:
    """Send every job that is due and not in the queue; return how many messages went.

    A lane's queued jobs (a firm's syncs by name) get one message for the lane, not one each:
    the run it starts takes the backlog along and hands the lane on (sync_account_lane).
    """
    republish_before = now - REPUBLISH_AFTER
    with uow:
        due = uow.jobs.due_for_relay(now, republish_before, limit)
        heads = uow.jobs.lanes_due_for_relay(now, republish_before)
    sent = 0
    for job in due:
        if not publish_job(uow, dispatcher, job, now):
            # The broker is away, and would refuse the rest too: the next sweep sends them.
            # (Trying each cost a connection attempt and a traceback per job, 2,211 of them in
            # one 30 s Redis outage of bench chaos.)
            return sent
        sent += 1
    for head in heads:
        try:
            dispatcher.dispatch(head)
        except Exception:  # the broker is away: the next sweep tries again
            log.warning("lane of firm %s not handed to the queue", head.firm_id, exc_info=True)
            return sent
        assert head.lane is not None
        with uow:
            uow.jobs.mark_lane_published(head.firm_id, head.lane, now, republish_before)
            uow.commit()
        sent += 1
    return sent
