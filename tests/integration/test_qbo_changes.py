"""Webhook events and change-data-capture polls queue checks of the linked accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.adapters.db.tables import customer_merges, jobs
from core.bootstrap import Services
from core.domain.jobs import JobKind, JobState
from core.domain.qbo import QboWebhookEvent, WebhookOperation
from core.domain.status import SyncStatus
from core.errors import QboTransientError
from core.services.customer_links import CheckOutcome, run_check_customer_link
from core.services.jobs import get_job
from core.services.qbo_changes import (
    CDC_LOOK_BACK,
    CDC_OVERLAP,
    PollOutcome,
    queue_change_polls,
    record_webhook_events,
    run_poll_qbo_changes,
)
from sandbox.seed import DEMO_REALM_ID
from tests.conftest import Firm, Sandbox, connected_firm
from tests.factories import a_linked_account
from tests.fakes import FakeQbo, RecordingDispatcher


@pytest.fixture
def qbo() -> FakeQbo:
    qbo = FakeQbo()
    for name in ("Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars", "Diego Rodriguez"):
        qbo.add(name)  # Ids 1 to 4
    return qbo


def event(
    entity_id: str,
    operation: WebhookOperation = "Update",
    *,
    entity: str = "Customer",
    deleted_id: str | None = None,
    realm_id: str = DEMO_REALM_ID,
) -> QboWebhookEvent:
    return QboWebhookEvent(realm_id, entity, entity_id, operation, deleted_id=deleted_id)


def active_jobs(services: Services, kind: JobKind) -> list[tuple[int, str]]:
    """(target id, target type) of the queued or running jobs of one kind."""
    with services.engine.connect() as connection:
        rows = connection.execute(
            sa.select(jobs.c.target_id, jobs.c.target_type)
            .where(jobs.c.kind == kind, jobs.c.state.in_(["queued", "running"]))
            .order_by(jobs.c.target_id)
        ).all()
    return [(row.target_id, row.target_type) for row in rows]


def checked_accounts(services: Services) -> list[int]:
    return [target for target, _ in active_jobs(services, JobKind.CHECK_CUSTOMER_LINK)]


def test_a_customer_event_queues_checks_of_the_synced_accounts_linked_to_it(
    services: Services, firm: Firm
) -> None:
    linked = a_linked_account(services, firm.id, "linked", "3")
    a_linked_account(services, firm.id, "skipped", "3", status=SyncStatus.SKIPPED)
    a_linked_account(services, firm.id, "other", "4")
    dispatcher = RecordingDispatcher()

    queued = record_webhook_events(services.uow(), dispatcher, [event("3")], services.clock())

    assert queued == 1
    assert checked_accounts(services) == [linked]
    assert len(dispatcher.sent) == 1


def test_events_of_other_entities_operations_and_realms_queue_nothing(
    services: Services, firm: Firm
) -> None:
    a_linked_account(services, firm.id, "linked", "3")
    events = [
        event("3", entity="Invoice"),
        event("3", "Create"),
        event("3", realm_id="1234567890"),
        event("3", "Merge", deleted_id="9", realm_id="1234567890"),
    ]

    assert (
        record_webhook_events(services.uow(), RecordingDispatcher(), events, services.clock()) == 0
    )
    assert checked_accounts(services) == []
    with services.engine.connect() as connection:  # a merge of an unknown realm is not kept
        assert connection.scalar(sa.select(sa.func.count()).select_from(customer_merges)) == 0


def test_a_merge_is_recorded_once_and_checks_the_accounts_of_both_customers(
    services: Services, firm: Firm
) -> None:
    merged = a_linked_account(services, firm.id, "merged", "2")
    survivor = a_linked_account(services, firm.id, "survivor", "3")
    merge = event("3", "Merge", deleted_id="2")

    first = record_webhook_events(services.uow(), RecordingDispatcher(), [merge], services.clock())
    again = record_webhook_events(services.uow(), RecordingDispatcher(), [merge], services.clock())

    assert (first, again) == (2, 0)  # the checks queued first are still active
    assert checked_accounts(services) == sorted([merged, survivor])
    with services.uow() as uow:
        assert uow.merges.survivor_of(DEMO_REALM_ID, "2") == "3"
    with services.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(customer_merges)) == 1


def test_every_firm_connected_to_the_realm_gets_its_checks(
    services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    second = connected_firm(services, sandbox, "Second firm")
    ours = a_linked_account(services, firm.id, "ours", "3")
    theirs = a_linked_account(services, second.id, "theirs", "3")

    record_webhook_events(services.uow(), RecordingDispatcher(), [event("3")], services.clock())

    assert checked_accounts(services) == sorted([ours, theirs])


def test_a_broker_that_is_down_leaves_the_checks_recorded_for_the_relay(
    services: Services, firm: Firm
) -> None:
    linked = a_linked_account(services, firm.id, "linked", "3")
    down = RecordingDispatcher(down=True)

    assert record_webhook_events(services.uow(), down, [event("3")], services.clock()) == 1
    assert checked_accounts(services) == [linked]


def queue_poll(services: Services) -> str:
    dispatcher = RecordingDispatcher()
    assert queue_change_polls(services.uow(), dispatcher, services.clock()) == 1
    [job_id] = dispatcher.sent
    return job_id


def poll(
    services: Services, qbo: FakeQbo, job_id: str, at: datetime | None = None
) -> tuple[PollOutcome, RecordingDispatcher]:
    dispatcher = RecordingDispatcher()
    now = at or services.clock()
    outcome = run_poll_qbo_changes(services.uow(), qbo, dispatcher, job_id, "w1", lambda: now)
    return outcome, dispatcher


def connection_of(services: Services, firm: Firm) -> tuple[datetime, datetime | None]:
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
        return connection.connected_at, connection.changes_checked_at


def test_a_poll_checks_the_accounts_of_inactive_and_deleted_customers(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    inactive = a_linked_account(services, firm.id, "inactive", "3")
    merged = a_linked_account(services, firm.id, "merged", "2")
    a_linked_account(services, firm.id, "untouched", "1")
    a_linked_account(services, firm.id, "skipped", "3", status=SyncStatus.SKIPPED)
    qbo.deactivate("3")
    qbo.merge("2", "4")
    qbo.changes.append(qbo.customers["1"])  # changed, and still active
    job_id = queue_poll(services)
    started = services.clock()

    outcome, dispatcher = poll(services, qbo, job_id, started)

    assert outcome is PollOutcome.POLLED
    assert checked_accounts(services) == sorted([inactive, merged])
    assert len(dispatcher.sent) == 2
    connected_at, checked_at = connection_of(services, firm)
    assert qbo.polls == [connected_at]  # the first poll reads from the connection's start
    assert checked_at == started - CDC_OVERLAP
    assert get_job(services.uow(), firm.id, job_id).job.state is JobState.SUCCEEDED


def test_the_next_poll_reads_from_the_watermark(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    first = services.clock()
    poll(services, qbo, queue_poll(services), first)
    later = first + timedelta(minutes=15)

    poll(services, qbo, queue_poll(services), later)

    assert qbo.polls[1] == first - CDC_OVERLAP
    assert connection_of(services, firm)[1] == later - CDC_OVERLAP


def test_a_watermark_older_than_30_days_checks_every_synced_account(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    synced = [a_linked_account(services, firm.id, f"s{i}", str(i)) for i in (1, 2, 4)]
    a_linked_account(services, firm.id, "skipped", "3", status=SyncStatus.SKIPPED)
    job_id = queue_poll(services)
    now = services.clock() + timedelta(days=45)  # the scheduler was away for weeks

    outcome, _ = poll(services, qbo, job_id, now)

    assert outcome is PollOutcome.POLLED
    assert qbo.polls == [now - CDC_LOOK_BACK]  # never further back than QBO allows
    assert checked_accounts(services) == sorted(synced)
    assert connection_of(services, firm)[1] == now - CDC_OVERLAP


def test_two_polls_of_one_firm_never_queue_at_once(services: Services, firm: Firm) -> None:
    assert queue_change_polls(services.uow(), RecordingDispatcher(), services.clock()) == 1
    assert queue_change_polls(services.uow(), RecordingDispatcher(), services.clock()) == 0
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
    assert active_jobs(services, JobKind.POLL_QBO_CHANGES) == [(connection.id, "connection")]


def test_a_broken_connection_gets_no_poll_and_a_queued_one_fails_with_the_reason(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_poll(services)
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
        connection.broken_reason = "QuickBooks refused to refresh the connection (invalid_grant)"
        uow.commit()

    assert poll(services, qbo, job_id)[0] is PollOutcome.FAILED

    job = get_job(services.uow(), firm.id, job_id).job
    assert job.last_error is not None and job.last_error["code"] == "not_connected"
    assert "invalid_grant" in job.last_error["message"]
    assert qbo.polls == []
    assert connection_of(services, firm)[1] is None  # the watermark stays for the reconnect
    assert queue_change_polls(services.uow(), RecordingDispatcher(), services.clock()) == 0


def test_a_poll_of_a_disconnected_firm_fails_with_the_reason(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_poll(services)
    with services.uow() as uow:
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
        uow.connections.remove(connection)
        uow.commit()

    assert poll(services, qbo, job_id)[0] is PollOutcome.FAILED
    job = get_job(services.uow(), firm.id, job_id).job
    assert job.last_error is not None and job.last_error["code"] == "not_connected"


def test_a_transient_fault_retries_the_poll_and_keeps_the_watermark(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    job_id = queue_poll(services)
    qbo.faults.append(QboTransientError("QBO answered HTTP 503", http_status=503))

    assert poll(services, qbo, job_id)[0] is PollOutcome.RETRY_LATER
    assert connection_of(services, firm)[1] is None
    job = get_job(services.uow(), firm.id, job_id).job
    assert job.state is JobState.QUEUED and job.next_attempt_at is not None


def test_a_polled_deletion_ends_in_not_synced_through_its_check(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    a_linked_account(services, firm.id, "acc-1", "3")
    qbo.deactivate("3")
    _, dispatcher = poll(services, qbo, queue_poll(services))
    [check_id] = dispatcher.sent

    outcome = run_check_customer_link(services.uow(), qbo, check_id, "w1", services.clock)

    assert outcome is CheckOutcome.NOT_SYNCED


def test_the_poll_job_is_shown_with_the_realm_it_reads(
    services: Services, firm: Firm, qbo: FakeQbo
) -> None:
    view = get_job(services.uow(), firm.id, queue_poll(services))
    assert view.job.kind is JobKind.POLL_QBO_CHANGES
    assert view.target_external_id == DEMO_REALM_ID


def test_the_watermark_is_stored_as_utc(services: Services, firm: Firm, qbo: FakeQbo) -> None:
    started = datetime(2030, 1, 1, 12, tzinfo=UTC)
    with services.uow() as uow:  # connected just before, so the window is short
        connection = uow.connections.for_firm(firm.id)
        assert connection is not None
        connection.connected_at = started - timedelta(hours=1)
        uow.commit()
    poll(services, qbo, queue_poll(services), started)
    assert connection_of(services, firm)[1] == started - CDC_OVERLAP
