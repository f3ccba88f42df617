"""Test doubles for the edges qbsync does not own: QBO, the queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.domain.jobs import Job
from core.domain.qbo import QboCustomer, QboDeleted, QboEntityChanges
from core.domain.records import QboConnection
from core.errors import QboError, QboFaultError, QboTransientError
from tests.fake_books import FakeBooks


@dataclass
class FakeQbo(FakeBooks):
    """A QBO company in memory that records writes and raises scripted faults.

    Its invoices, payments, items, classes, departments and payment methods: FakeBooks.
    """

    customers: dict[str, QboCustomer] = field(default_factory=dict)
    faults: list[QboError] = field(default_factory=list)  # raised by the next calls, in order
    create_faults: list[QboError] = field(default_factory=list)  # raised by the next creates
    creates: list[tuple[str, str]] = field(default_factory=list)
    results_by_request_id: dict[str, QboCustomer] = field(default_factory=dict)
    # Display names held by vendors or employees: QBO refuses them for customers (6240).
    other_names: set[str] = field(default_factory=set)
    # Customer types by name (a company may have none), and the type each create asked for.
    customer_types: dict[str, str] = field(default_factory=dict)
    created_types: list[str | None] = field(default_factory=list)
    # The next create is done in QBO but its answer is lost on the way back (a read timeout).
    lose_next_create_answer: bool = False
    batches: int = 0  # batch requests made
    # Change data capture: what changed (in order) and the `since` of every poll.
    changes: list[QboCustomer | QboDeleted] = field(default_factory=list)
    polls: list[datetime] = field(default_factory=list)

    def __call__(self, connection: QboConnection) -> FakeQbo:
        return self

    def add(self, display_name: str, *, active: bool = True) -> QboCustomer:
        customer = QboCustomer(str(len(self.customers) + 1), display_name, active, "0")
        self.customers[customer.id] = customer
        return customer

    def find_customers_by_display_name(self, display_name: str) -> list[QboCustomer]:
        self._maybe_fail()
        wanted = display_name.casefold()
        return [c for c in self.customers.values() if c.display_name.casefold() == wanted]

    def get_customer(self, customer_id: str) -> QboCustomer | None:
        self._maybe_fail()
        return self.customers.get(customer_id)

    def list_customers(
        self, *, start_position: int = 1, max_results: int = 1000, include_inactive: bool = False
    ) -> list[QboCustomer]:
        self._maybe_fail()
        shown = [c for c in self.customers.values() if include_inactive or c.active]
        shown.sort(key=lambda c: int(c.id))
        return shown[start_position - 1 : start_position - 1 + max_results]

    def find_customers_by_display_names(self, display_names: Sequence[str]) -> list[QboCustomer]:
        self._maybe_fail()
        wanted = {name.casefold() for name in display_names}
        return [c for c in self.customers.values() if c.display_name.casefold() in wanted]

    def display_names_held_by_others(self, display_names: Sequence[str]) -> set[str]:
        self._maybe_fail()
        wanted = {name.casefold() for name in display_names}
        return {name for name in self.other_names if name.casefold() in wanted}

    def find_customer_type_id(self, name: str) -> str | None:
        self._maybe_fail()
        return self.customer_types.get(name)

    def create_customer(
        self, display_name: str, *, request_id: str, customer_type_id: str | None = None
    ) -> QboCustomer:
        self._maybe_fail()
        self.creates.append((display_name, request_id))
        self.created_types.append(customer_type_id)
        if self.create_faults:
            raise self.create_faults.pop(0)
        if display_name.casefold() in {n.casefold() for n in self.other_names}:
            raise QboFaultError("Duplicate Name Exists Error", code="6240", intuit_tid="tid-6240")
        if request_id in self.results_by_request_id:  # QBO replays a repeated requestid
            return self.results_by_request_id[request_id]
        customer = self.add(display_name)
        self.results_by_request_id[request_id] = customer
        if self.lose_next_create_answer:
            self.lose_next_create_answer = False
            raise QboTransientError("QuickBooks could not be reached: ReadTimeout")
        return customer

    def create_customers_in_batch(
        self, drafts: Sequence[tuple[str, str, str | None]], *, request_id: str
    ) -> dict[str, QboCustomer | QboError]:
        self._maybe_fail()
        self.batches += 1
        answers: dict[str, QboCustomer | QboError] = {}
        for bid, name, type_id in drafts:  # QBO replays each item under request id + bId
            try:
                answers[bid] = self.create_customer(
                    name, request_id=request_id + bid, customer_type_id=type_id
                )
            except QboError as exc:
                answers[bid] = exc
        return answers

    def changed_customers(self, since: datetime) -> QboEntityChanges:
        self._maybe_fail()
        self.polls.append(since)
        changed = tuple(c for c in self.changes if isinstance(c, QboCustomer))
        deleted = tuple(c for c in self.changes if isinstance(c, QboDeleted))
        return QboEntityChanges(changed=changed, deleted=deleted)

    def deactivate(self, customer_id: str) -> QboCustomer:
        """What a QBO user's "delete" does: the customer goes inactive (CDC shows the update)."""
        current = self.customers[customer_id]
        gone = replace(current, active=False, sync_token=str(int(current.sync_token) + 1))
        self.customers[customer_id] = gone
        self.changes.append(gone)
        return gone

    def merge(self, from_id: str, into_id: str) -> None:
        """A QBO user's merge: `from_id` no longer reads (CDC shows its Deleted stub).

        Add every customer a test needs before merging: `add` numbers by count.
        """
        assert into_id in self.customers and from_id != into_id
        del self.customers[from_id]
        self.changes.append(QboDeleted(entity="Customer", id=from_id))

    def _maybe_fail(self) -> None:
        if self.faults:
            raise self.faults.pop(0)

    def _customer(self, customer_id: str) -> QboCustomer | None:
        return self.customers.get(customer_id)


@dataclass
class RecordingDispatcher:
    """A dispatcher that keeps what it was handed, or fails like a broker that is down."""

    down: bool = False
    sent: list[str] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)  # job id: seconds, when delayed
    tries: int = 0  # dispatches asked for, refused ones included

    def dispatch(self, job: Job, *, delay_seconds: float = 0.0) -> None:
        self.tries += 1
        if self.down:
            raise ConnectionError("broker is down")
        self.sent.append(job.id)
        if delay_seconds:
            self.delays[job.id] = delay_seconds

    def ping(self) -> None:
        if self.down:
            raise ConnectionError("broker is down")
