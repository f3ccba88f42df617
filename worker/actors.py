"""Dramatiq actors: thin shells that run one job by id.

The job's state lives in SQL, so an actor only claims and runs it; Dramatiq's own retries
cover only failures before the claim (a database that is down, say). Actors are declared on
an explicit broker, so the worker, the embedded default and the tests each bind their own.
Each answers its service's outcome, which `observed` logs and counts (worker.observed).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import dramatiq

from core.domain.jobs import JobKind
from core.ports import JobDispatcher
from core.services.customer_links import run_check_customer_link
from core.services.push_invoice import run_push_invoice
from core.services.push_payment import run_push_payment
from core.services.qbo_changes import run_poll_qbo_changes
from core.services.status_events import run_deliver_status_events
from core.services.sync_account import run_sync_account
from worker.dispatch import QUEUE, DramatiqDispatcher, lane_of_hint
from worker.observed import observed
from worker.runtime import lease_owner, services


def check_customer_link(job_id: str) -> StrEnum:
    """Check that a Synced account's QBO customer is still there: relink or unlink it if not."""
    ran = services()
    return run_check_customer_link(ran.uow(), ran.qbo, job_id, lease_owner(), ran.clock)


def with_dispatcher(dispatcher: JobDispatcher) -> dict[JobKind, Callable[..., StrEnum]]:
    """The actors whose jobs queue more jobs, handing those to `dispatcher`."""

    def sync_account(job_id: str, lane: str | None = None) -> StrEnum:
        """Link one account to its QBO customer, then queue its invoices that waited; a
        sync by name runs its firm's lane (`lane` says which)."""
        ran = services()
        return run_sync_account(
            ran.uow(), ran.qbo, job_id, lease_owner(), ran.clock, ran.customers, dispatcher,
            ran.budget, lane_runs=ran.lane_runs, lane=lane_of_hint(lane),
        )  # fmt: skip

    def poll_qbo_changes(job_id: str) -> StrEnum:
        """Read a firm's changed QBO customers and queue checks of their accounts."""
        ran = services()
        uow, qbo, owner = ran.uow(), ran.qbo, lease_owner()
        return run_poll_qbo_changes(uow, qbo, dispatcher, job_id, owner, ran.clock)

    def push_invoice(job_id: str) -> StrEnum:
        """Create, update or delete an invoice's QBO copy."""
        ran = services()
        return run_push_invoice(ran.uow(), ran.qbo, dispatcher, job_id, lease_owner(), ran.clock)

    def deliver_status_events(job_id: str) -> StrEnum:
        """POST a firm's next status changes to its own system, signed."""
        ran = services()
        return run_deliver_status_events(
            ran.uow(), ran.events, ran.vault, dispatcher, job_id, lease_owner(), ran.clock
        )

    def push_payment(job_id: str) -> StrEnum:
        """Create, replace or delete a payment's QBO copy."""
        ran = services()
        return run_push_payment(ran.uow(), ran.qbo, dispatcher, job_id, lease_owner(), ran.clock)

    return {
        JobKind.SYNC_ACCOUNT: sync_account,
        JobKind.POLL_QBO_CHANGES: poll_qbo_changes,
        JobKind.PUSH_INVOICE: push_invoice,
        JobKind.PUSH_PAYMENT: push_payment,
        JobKind.DELIVER_STATUS_EVENTS: deliver_status_events,
    }


def declare_actors(broker: dramatiq.Broker) -> None:
    """Declare every actor on `broker`, each named for the job kind it runs."""
    actors: dict[JobKind, Callable[..., StrEnum]] = {
        JobKind.CHECK_CUSTOMER_LINK: check_customer_link,
        **with_dispatcher(DramatiqDispatcher(broker)),
    }
    for kind, run in actors.items():
        declare = dramatiq.actor(
            actor_name=kind.value,
            broker=broker,
            queue_name=QUEUE,
            max_retries=3,
            min_backoff=1_000,
            max_backoff=30_000,
            # A QBO call may wait 30 s at the company's gate and 30 s for its answer: room for
            # that and more, and shorter than a lease's renewal limit (2 min). At 50 s, pushes
            # of a busy company ran out of time at the gate until they ended Failed.
            time_limit=100_000,
            # Interrupted at shutdown and retried, rather than stranded (design/jobs.md §5).
            notify_shutdown=True,
        )
        declare(observed(kind, run))
