"""The scheduler's sweeps: what it registers, and the change-data-capture polls it queues."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from core.bootstrap import Services
from core.domain.jobs import JobKind
from core.services.accounts import put_account, unsync_account
from core.services.jobs import get_job
from core.services.status_events import subscribe
from tests.conftest import Firm, Sandbox, connected_firm
from tests.fakes import RecordingDispatcher
from worker.scheduler import (
    add_sweeps,
    deliver_status_events_once,
    poll_changes_once,
    relay_once,
)


def test_every_sweep_is_registered_with_its_interval(services: Services) -> None:
    settings = replace(
        services.settings,
        cdc_interval_seconds=120,
        relay_interval_seconds=3,
        status_events_interval_seconds=7,
    )
    scheduler = BackgroundScheduler(timezone="UTC")

    add_sweeps(scheduler, replace(services, settings=settings), RecordingDispatcher())

    intervals = {job.id: job.trigger.interval for job in scheduler.get_jobs()}
    assert intervals == {
        "tokens": timedelta(hours=1),
        "relay": timedelta(seconds=3),
        "cdc": timedelta(seconds=120),
        "status_events": timedelta(seconds=7),
    }


def test_a_poll_is_queued_for_each_working_connection_once(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    broken = connected_firm(services, sandbox, "Broken firm")
    with services.uow() as uow:
        connection = uow.connections.for_firm(broken.id)
        assert connection is not None
        connection.broken_reason = "reconnect QuickBooks"
        uow.commit()
    dispatcher = RecordingDispatcher()

    assert poll_changes_once(services, dispatcher) == 1
    assert poll_changes_once(services, dispatcher) == 0  # the first is still queued

    [job_id] = dispatcher.sent
    view = get_job(services.uow(), firm.id, job_id)
    assert view.job.kind is JobKind.POLL_QBO_CHANGES
    assert view.target_external_id == sandbox.realm_id


def test_a_poll_queued_while_the_broker_is_down_is_sent_by_the_relay(
    services: Services, firm: Firm
) -> None:
    assert poll_changes_once(services, RecordingDispatcher(down=True)) == 1

    working = RecordingDispatcher()
    assert relay_once(services, working) == 1
    assert get_job(services.uow(), firm.id, working.sent[0]).job.kind is JobKind.POLL_QBO_CHANGES


def test_a_delivery_is_queued_for_each_subscribed_firm_with_changes_once(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    quiet = connected_firm(services, sandbox, "Quiet firm")  # subscribed, nothing changed
    for firm_id in (firm.id, quiet.id):
        url = "https://firm.example/hooks"
        subscribe(services.uow(), services.vault, firm_id, url, None, services.clock())
    put_account(services.uow(), firm.id, "a-1", "Client", services.clock())
    unsync_account(services.uow(), firm.id, "a-1", services.clock())
    dispatcher = RecordingDispatcher()

    assert deliver_status_events_once(services, dispatcher) == 1
    assert deliver_status_events_once(services, dispatcher) == 0  # the first is still queued

    [job_id] = dispatcher.sent
    view = get_job(services.uow(), firm.id, job_id)
    assert view.job.kind is JobKind.DELIVER_STATUS_EVENTS
    assert view.target_external_id == str(firm.id)
