"""Status events on the real store, POSTed over loopback HTTP to a receiving server (issue 15).

`Worker.run_due` does what the scheduler and a worker do together: queue the deliveries that
are due, then run every job handed over, follow-ups included, one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from core.bootstrap import Services, utc_now
from core.domain.billing import Invoice, Payment
from core.domain.jobs import JobState
from core.domain.records import StatusChange
from core.domain.status import SyncStatus
from core.domain.status_events import StatusEventSubscription
from core.ports import StatusEventSender
from core.services.accounts import (
    account_history,
    put_account,
    request_account_sync,
    unsync_account,
)
from core.services.firms import create_firm
from core.services.jobs import get_job
from core.services.status_events import (
    DeliveryOutcome,
    queue_status_event_deliveries,
    run_deliver_status_events,
    status_event_subscription,
    subscribe,
    unsubscribe,
)
from tests.factories import a_linked_account
from tests.fakes import RecordingDispatcher
from tests.receiver import Receiver, receiving
from tests.servers import HAS_POSTGRES
from tests.waiting import free_port

SECRET = "the-firms-shared-secret"
DELIVERED, REFUSED = DeliveryOutcome.DELIVERED, DeliveryOutcome.REFUSED


@dataclass
class Worker:
    """The scheduler's sweep and a worker running its jobs, on a clock the test moves."""

    services: Services
    dispatcher: RecordingDispatcher = field(default_factory=RecordingDispatcher)
    offset: timedelta = timedelta(0)

    def clock(self) -> datetime:
        return utc_now() + self.offset

    def later(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def run_due(self) -> list[DeliveryOutcome]:
        queue_status_event_deliveries(self.services.uow(), self.dispatcher, self.clock())
        outcomes = []
        while self.dispatcher.sent:
            outcomes.append(self.run(self.dispatcher.sent.pop(0)))
        return outcomes

    def run(self, job_id: str, sender: StatusEventSender | None = None) -> DeliveryOutcome:
        services = self.services
        return run_deliver_status_events(
            services.uow(),
            sender or services.events,
            services.vault,
            self.dispatcher,
            job_id,
            "worker-1",
            self.clock,
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def worker(services: Services) -> Worker:
    return Worker(services)


def a_firm(services: Services, name: str = "Firm") -> int:
    firm_id, _ = create_firm(services.uow(), name, services.clock())
    return firm_id


def subscribe_to(services: Services, firm_id: int, url: str, secret: str = SECRET) -> None:
    subscribe(services.uow(), services.vault, firm_id, url, secret, services.clock())


def subscription(services: Services, firm_id: int) -> StatusEventSubscription:
    return status_event_subscription(services.uow(), firm_id)


def move_account(services: Services, firm_id: int, external_id: str) -> list[str]:
    """A new account asked to sync, then turned off: two status changes; their event ids."""
    put_account(services.uow(), firm_id, external_id, f"Client {external_id}", services.clock())
    request_account_sync(
        services.uow(), RecordingDispatcher(), firm_id, external_id, services.clock()
    )
    unsync_account(services.uow(), firm_id, external_id, services.clock())
    return event_ids(services, firm_id, external_id)


def event_ids(services: Services, firm_id: int, external_id: str) -> list[str]:
    history = account_history(services.uow(), firm_id, external_id)
    return [f"{firm_id}-{change.id}" for change in history]


def many_changes(services: Services, firm_id: int, external_id: str, count: int) -> list[str]:
    """`count` history entries of one account, written at once; their event ids."""
    account, _ = put_account(services.uow(), firm_id, external_id, "Busy", services.clock())
    assert account.id is not None
    flips = [
        (SyncStatus.NOT_SYNCED, SyncStatus.SYNCING),
        (SyncStatus.SYNCING, SyncStatus.NOT_SYNCED),
    ]
    with services.uow() as uow:
        for n in range(count):
            before, after = flips[n % 2]
            at = services.clock()
            uow.history.add(StatusChange(firm_id, "account", account.id, before, after, "flip", at))
        uow.commit()
    return event_ids(services, firm_id, external_id)


def test_status_changes_reach_the_receiver_in_order_signed_and_the_mark_follows(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    move_account(services, firm_id, "before")  # the past is not replayed
    subscribe_to(services, firm_id, f"{receiver.url}/hooks")
    a_linked_account(services, firm_id, "linked", "58")
    sent = [
        *move_account(services, firm_id, "a-1"),
        *move_account(services, firm_id, "a-2"),
    ]
    unsync_account(services.uow(), firm_id, "linked", services.clock())
    sent += event_ids(services, firm_id, "linked")

    assert worker.run_due() == [DELIVERED]

    [delivery] = receiver.deliveries
    assert delivery.path == "/hooks"
    assert delivery.is_signed_with(SECRET)
    assert not delivery.is_signed_with("some-other-secret-of-16")
    events = delivery.events()
    assert [event["id"] for event in events] == sent
    assert [
        (e["record"]["external_id"], e["record"]["previous_status"], e["record"]["status"])
        for e in events
    ] == [
        ("a-1", "not_synced", "syncing"),
        ("a-1", "syncing", "skipped"),
        ("a-2", "not_synced", "syncing"),
        ("a-2", "syncing", "skipped"),
        ("linked", "synced", "skipped"),
    ]
    first, last = events[0], events[-1]
    assert first["type"] == "account.status_changed"
    assert (first["cause"], first["error"], first["record"]["type"]) == (
        "sync requested",
        None,
        "account",
    )
    assert first["job_id"] is not None and datetime.fromisoformat(first["at"]).tzinfo is not None
    assert last["record"]["qbo_id"] == "58"
    after = subscription(services, firm_id)
    assert after.delivered_through == int(sent[-1].split("-")[1])
    assert (after.attempts, after.last_error) == (0, None)
    assert after.last_delivered_at is not None
    assert worker.run_due() == []  # nothing left to send: no job


def test_invoices_and_payments_are_named_by_the_firms_ids_with_their_qbo_ids(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"{receiver.url}/hooks")
    account, _ = put_account(services.uow(), firm_id, "a-1", "Client", services.clock())
    now = services.clock()
    with services.uow() as uow:
        invoice = Invoice(firm_id, "inv-1", now, now, account_id=account.id or 0, qbo_id="130")
        uow.invoices.add(invoice)
        uow.flush()
        payment = Payment(firm_id, "pay-1", now, now, invoice_id=invoice.id or 0)
        uow.payments.add(payment)
        uow.flush()
        uow.history.add(invoice.move_to(SyncStatus.SYNCING, at=now, cause="pushed"))
        uow.history.add(payment.move_to(SyncStatus.SKIPPED, at=now, cause="not pushed"))
        uow.commit()

    assert worker.run_due() == [DELIVERED]

    [delivery] = receiver.deliveries
    assert [(e["type"], e["record"]) for e in delivery.events()] == [
        (
            "invoice.status_changed",
            {
                "type": "invoice",
                "external_id": "inv-1",
                "status": "syncing",
                "previous_status": "not_synced",
                "qbo_id": "130",
            },
        ),
        (
            "payment.status_changed",
            {
                "type": "payment",
                "external_id": "pay-1",
                "status": "skipped",
                "previous_status": "not_synced",
                "qbo_id": None,
            },
        ),
    ]


def test_a_failing_receiver_gets_the_same_events_again_then_the_backlog_drains(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"{receiver.url}/hooks")
    start = subscription(services, firm_id).delivered_through
    backlog = many_changes(services, firm_id, "busy", 150)
    receiver.answers = [500, 500]

    assert worker.run_due() == [REFUSED]
    waiting = subscription(services, firm_id)
    assert (waiting.attempts, waiting.delivered_through) == (1, start)
    assert waiting.last_error == {
        "message": "the receiver answered HTTP 500",
        "http_status": 500,
        "detail": "receiver is down for maintenance",
    }
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at > worker.clock()
    assert worker.run_due() == []  # the backoff is waited out, not hammered

    worker.later(hours=1)
    assert worker.run_due() == [REFUSED]
    assert subscription(services, firm_id).attempts == 2
    worker.later(hours=1)
    assert worker.run_due() == [DELIVERED, DELIVERED]  # 100, then the rest queued at once

    first, second, third, rest = receiver.deliveries
    assert first.events() == second.events() == third.events()  # the same events, same ids
    assert [event["id"] for event in third.events() + rest.events()] == backlog
    assert all(delivery.is_signed_with(SECRET) for delivery in receiver.deliveries)
    drained = subscription(services, firm_id)
    assert drained.delivered_through == int(backlog[-1].split("-")[1])
    assert (drained.attempts, drained.last_error, drained.next_attempt_at) == (0, None, None)


def test_each_firm_hears_only_of_its_own_changes_and_one_without_a_subscription_of_none(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_a, firm_b, unsubscribed = a_firm(services, "A"), a_firm(services, "B"), a_firm(services)
    subscribe_to(services, firm_a, f"{receiver.url}/a")
    subscribe_to(services, firm_b, f"{receiver.url}/b", secret="firm-b-has-its-own-secret")
    a_events = move_account(services, firm_a, "x")
    b_events = move_account(services, firm_b, "y")
    move_account(services, unsubscribed, "z")

    assert worker.run_due() == [DELIVERED, DELIVERED]

    assert receiver.event_ids("/a") == a_events
    assert receiver.event_ids("/b") == b_events
    assert len(receiver.deliveries) == 2  # nothing went anywhere for the third firm
    [to_b] = [delivery for delivery in receiver.deliveries if delivery.path == "/b"]
    assert to_b.is_signed_with("firm-b-has-its-own-secret")
    assert not to_b.is_signed_with(SECRET)


def test_an_unreachable_receiver_is_a_failed_attempt_with_the_reason(
    services: Services, worker: Worker
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"http://127.0.0.1:{free_port()}/hooks")
    move_account(services, firm_id, "a-1")

    queue_status_event_deliveries(services.uow(), worker.dispatcher, worker.clock())
    [job_id] = worker.dispatcher.sent
    assert worker.run(job_id) is REFUSED

    error = subscription(services, firm_id).last_error
    assert error is not None and error["http_status"] is None
    assert error["message"] == "the receiver could not be reached (ConnectError)"
    job = get_job(services.uow(), firm_id, job_id).job
    assert (job.state, job.last_error) == (JobState.FAILED, error)


def test_a_url_replaced_while_a_delivery_to_the_old_one_fails_is_tried_at_once(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"http://127.0.0.1:{free_port()}/old")
    sent = move_account(services, firm_id, "a-1")

    class ReplacedMeanwhile:
        def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
            subscribe_to(services, firm_id, f"{receiver.url}/new")
            services.events.send(url, body, headers)  # to the old URL, where nobody listens

    queue_status_event_deliveries(services.uow(), worker.dispatcher, worker.clock())
    assert worker.run(worker.dispatcher.sent.pop(), ReplacedMeanwhile()) is REFUSED

    replaced = subscription(services, firm_id)
    assert (replaced.attempts, replaced.next_attempt_at, replaced.last_error) == (0, None, None)
    assert worker.run_due() == [DELIVERED]
    assert receiver.event_ids("/new") == sent


def test_a_subscription_removed_before_its_job_runs_sends_nothing(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"{receiver.url}/hooks")
    move_account(services, firm_id, "a-1")
    queue_status_event_deliveries(services.uow(), worker.dispatcher, worker.clock())
    [job_id] = worker.dispatcher.sent

    unsubscribe(services.uow(), firm_id)

    assert worker.run(job_id) is DeliveryOutcome.NOTHING_SENT
    assert receiver.deliveries == []
    assert get_job(services.uow(), firm_id, job_id).job.state is JobState.SUCCEEDED


# SQLite runs one writer at a time: its ids commit in order.
@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_change_numbered_first_but_committed_last_is_not_skipped(
    services: Services, worker: Worker, receiver: Receiver
) -> None:
    firm_id = a_firm(services)
    subscribe_to(services, firm_id, f"{receiver.url}/hooks")
    held_account, _ = put_account(services.uow(), firm_id, "held", "Held", services.clock())
    put_account(services.uow(), firm_id, "quick", "Quick", services.clock())
    assert held_account.id is not None

    with services.uow() as held:
        change = StatusChange(
            firm_id, "account", held_account.id, SyncStatus.NOT_SYNCED, SyncStatus.SYNCING,
            "held open", services.clock(),
        )  # fmt: skip
        held.history.add(change)
        held.flush()  # numbered now, committed below
        unsync_account(services.uow(), firm_id, "quick", services.clock())  # numbered after

        assert worker.run_due() == [DeliveryOutcome.NOTHING_SENT]
        assert receiver.deliveries == []
        held.commit()

    assert worker.run_due() == [DELIVERED]
    assert receiver.event_ids() == [
        *event_ids(services, firm_id, "held"),
        *event_ids(services, firm_id, "quick"),
    ]
    held_id, quick_id = (int(event.split("-")[1]) for event in receiver.event_ids()[:2])
    assert held_id < quick_id  # numbered first, committed last, and not skipped
