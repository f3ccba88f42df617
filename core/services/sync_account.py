"""Run an account sync job: link the account to its QBO customer, or record why not.

The job is claimed first (compare-and-set), QBO is called with no database transaction
open, and the outcome is written only while this worker still holds the job's lease.
Creates carry a request id derived from the job, so a job that runs twice, or is killed
half-way and run again, never creates a second customer (design/jobs.md §2-3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from core.domain.jobs import MAX_ATTEMPTS, Job, request_id
from core.domain.linking import LinkAction, plan_link
from core.domain.qbo import (
    QboCustomer,
    explain_qbo_error,
    refused_name_error,
    sync_error,
)
from core.errors import NotConnectedError, QboFaultError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, RealmBudget, UnitOfWork
from core.services.account_sync_steps import (
    Claimed,
    LinkRefusedError,
    Outcome,
    claim_sync,
    record_linked,
    record_sync_failed,
    record_sync_transient,
)
from core.services.customers import CustomerDirectory
from core.services.lane_runs import LaneKey, LaneRuns
from core.services.sync_account_lane import UnpacedBudget, run_sync_lane

__all__ = ["LinkRefusedError", "Outcome", "run_sync_account"]

log = logging.getLogger(__name__)


def run_sync_account(
    uow: UnitOfWork,
    connect: QboConnector,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
    directory: CustomerDirectory | None = None,
    dispatcher: JobDispatcher | None = None,
    budget: RealmBudget | None = None,
    *,
    lane_runs: LaneRuns | None = None,
    lane: LaneKey | None = None,
) -> Outcome:
    """Claim the job, link its account to a QBO customer, and record Synced or Failed.

    `directory` keeps the realm's customer list; with one, a sync by name runs its firm's
    lane: decided from the list, settled with the firm's other queued syncs by name, at the
    pace `budget` (the company's room in QBO's minute) allows (sync_account_lane), counted
    among this process's `lane_runs`; `lane` is the message's word for the job's lane.
    Without a directory, the name is looked up in QBO and the list read afresh for near
    matches.
    """
    if directory is not None:
        outcome = run_sync_lane(
            uow, connect, directory, budget or UnpacedBudget(), dispatcher, job_id, worker_id,
            clock, runs=lane_runs, lane=lane,
        )  # fmt: skip
        if outcome is not None:
            return outcome
    claimed = claim_sync(uow, job_id, worker_id, clock())
    if claimed is None:
        return Outcome.NOT_CLAIMED
    job = claimed.job
    if job.counted_attempts > MAX_ATTEMPTS:
        # Its workers kept dying before recording an outcome (design/jobs.md §4).
        error = sync_error(
            f"Gave up after {MAX_ATTEMPTS} attempts; sync the account again to retry.",
            "attempts_exhausted",
            retryable=True,
        )
        return record_sync_failed(uow, job, worker_id, clock(), error)
    try:
        if claimed.connection is None:
            raise NotConnectedError()
        customer_id = _link(
            connect(claimed.connection), claimed, job, directory or CustomerDirectory()
        )
    except QboTransientError as exc:
        return record_sync_transient(uow, job, worker_id, clock(), exc.as_record())
    except QboFaultError as exc:
        return record_sync_failed(
            uow, job, worker_id, clock(), explain_qbo_error(exc, claimed.display_name)
        )
    except LinkRefusedError as exc:
        return record_sync_failed(uow, job, worker_id, clock(), exc.error, unlink=exc.link_lost)
    except NotConnectedError as exc:
        return record_sync_failed(
            uow, job, worker_id, clock(), sync_error(str(exc), "not_connected")
        )
    return record_linked(uow, job, worker_id, clock(), customer_id, dispatcher)


def _link(qbo: Qbo, claimed: Claimed, job: Job, directory: CustomerDirectory) -> str:
    """The Id of the QBO customer the account links to: chosen, kept, matched or created."""
    if claimed.chosen_customer_id is not None:
        return _chosen(qbo, claimed.chosen_customer_id)
    if claimed.create:
        _refuse_bad_name(claimed)
        return _create(qbo, claimed, job, directory)
    # A kept link needs no name: an account renamed since is still linked (SPEC §2.1).
    linked = _linked(qbo, claimed) if claimed.linked_customer_id else None
    link_lost = claimed.linked_customer_id is not None and linked is None
    if linked is None:
        _refuse_bad_name(claimed, link_lost=link_lost)
    # Inactive customers keep their names in QBO, so the lookup sees them too (qbo/README.md).
    namesakes = [] if linked else qbo.find_customers_by_display_name(claimed.display_name)
    candidates = []
    if linked is None and not namesakes:  # only then do near matches decide anything
        index = directory.index(claimed.connection_realm_id, qbo)
        candidates = index.rank(claimed.display_name, claimed.email)
    plan = plan_link(
        claimed.display_name, linked=linked, namesakes=namesakes, candidates=candidates
    )
    if plan.action is LinkAction.LINK:
        assert plan.customer_id is not None
        return plan.customer_id
    if plan.action is LinkAction.NEEDS_PERSON:
        assert plan.error is not None
        raise LinkRefusedError(plan.error, link_lost=link_lost)
    return _create(qbo, claimed, job, directory)


def _refuse_bad_name(claimed: Claimed, *, link_lost: bool = False) -> None:
    """Fail a name QBO would refuse before spending its calls on it."""
    refused = refused_name_error(claimed.display_name)
    if refused is not None:
        raise LinkRefusedError(refused, link_lost=link_lost)


def _linked(qbo: Qbo, claimed: Claimed) -> QboCustomer | None:
    """The active customer the account is linked to, or the one it was merged into."""
    for customer_id in (claimed.linked_customer_id, claimed.merged_into):
        if customer_id is not None:
            customer = qbo.get_customer(customer_id)
            if customer is not None:
                return customer if customer.active else None
    return None


def _chosen(qbo: Qbo, customer_id: str) -> str:
    """The customer an admin chose, if QBO has it and it is active."""
    chosen = qbo.get_customer(customer_id)
    if chosen is None:
        raise LinkRefusedError(
            sync_error(
                f"QuickBooks has no customer with Id {customer_id}; choose another one.",
                "customer_not_found",
            )
        )
    if not chosen.active:
        raise LinkRefusedError(
            sync_error(
                f"The QuickBooks customer {chosen.display_name!r} (Id {customer_id}) is inactive "
                "(deleted): reactivate it in QuickBooks, or choose another customer.",
                "customer_inactive",
            )
        )
    return chosen.id


def _create(qbo: Qbo, claimed: Claimed, job: Job, directory: CustomerDirectory) -> str:
    # A company without the type gets a customer without one, not a failed create (SPEC §2.3).
    type_id = qbo.find_customer_type_id(claimed.customer_type)
    created = qbo.create_customer(
        claimed.display_name,
        request_id=request_id(job.id, "create-customer"),
        customer_type_id=type_id,
    )
    directory.remember(claimed.connection_realm_id, [created])  # near matches see it
    return created.id
