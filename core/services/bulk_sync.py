"""Bulk account sync (`POST /v1/accounts/sync`): named accounts or all of one status, and a
dry run that says, writing nothing, what the sync would do with each account.

The dry run decides with the same `plan_link` the sync job uses, from what QBO holds now,
read in as few requests as it allows: the realm's customer list (cached briefly), and the
accounts' names in `IN` lists of a hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.domain.jobs import Job
from core.domain.linking import LinkAction, LinkPlan, plan_link
from core.domain.qbo import QboCustomer, display_name_for, refused_name_error
from core.domain.records import Account
from core.domain.settings import FirstSyncScope
from core.domain.status import SyncStatus
from core.errors import NotConnectedError, UnknownRecordsError
from core.ports import JobDispatcher, QboConnector, UnitOfWork
from core.services.accounts import publish_job, start_sync_job
from core.services.customers import CustomerDirectory
from core.services.sync_account_lane import LANE_RUNS

# How many accounts one bulk request may take; a status selects at most this many per request.
MAX_BULK_ACCOUNTS = 1000


class BulkOutcome(StrEnum):
    """What a bulk request did, or would do, with one account."""

    QUEUED = "queued"
    ALREADY_SYNCING = "already_syncing"  # a job is queued or running for it: left to that job
    LINK = "link"
    CREATE = "create"
    NEEDS_PERSON = "needs_person"


@dataclass(frozen=True)
class Selection:
    """The accounts a bulk request names: by external id, or every one of a status."""

    external_ids: Sequence[str] | None = None
    status: SyncStatus | None = None

    def __post_init__(self) -> None:
        assert (self.external_ids is None) != (self.status is None), "ids or a status"


@dataclass(frozen=True)
class BulkItem:
    account: Account
    outcome: BulkOutcome
    job_id: str | None = None
    plan: LinkPlan | None = None  # the dry run's reasoning


@dataclass(frozen=True)
class BulkResult:
    items: list[BulkItem]
    remaining: int  # accounts of the selected status beyond this request's limit


def bulk_sync(
    uow: UnitOfWork, dispatcher: JobDispatcher, firm_id: int, selection: Selection, now: datetime
) -> BulkResult:
    """Queue a sync by name for each selected account that has no job already.

    The syncs join the firm's lane: a few messages start its runs, which take the rest
    along (sync_account_lane), so a firm's thousands of syncs never stand in the queue in
    front of other firms' work.
    """
    items: list[BulkItem] = []
    queued: list[Job] = []
    with uow:
        accounts, remaining = _select(uow, firm_id, selection)
        busy = uow.jobs.active_for_targets("account", [a.id for a in accounts if a.id])
        for account in accounts:
            assert account.id is not None
            active = busy.get(account.id)
            if active is not None:
                items.append(BulkItem(account, BulkOutcome.ALREADY_SYNCING, active.id))
                continue
            job = start_sync_job(uow, account, now, {}, cause="bulk sync requested")
            if len(queued) >= LANE_RUNS:
                job.published_at = now  # carried by the lane's messages
            queued.append(job)
            items.append(BulkItem(account, BulkOutcome.QUEUED, job.id))
        uow.commit()
    for job in queued[:LANE_RUNS]:  # a hand-over that fails is sent later by the relay sweep
        publish_job(uow, dispatcher, job, now)
    return BulkResult(items=items, remaining=remaining)


def bulk_dry_run(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    firm_id: int,
    selection: Selection,
) -> BulkResult:
    """What `bulk_sync` would come to for each selected account; writes nothing."""
    with uow:
        accounts, remaining = _select(uow, firm_id, selection)
        connection = uow.connections.for_firm(firm_id)
        if connection is None or connection.broken_reason is not None:
            raise NotConnectedError(None if connection is None else connection.broken_reason)
        busy = set(uow.jobs.active_for_targets("account", [a.id for a in accounts if a.id]))
        survivors = {
            a.qbo_customer_id: uow.merges.survivor_of(connection.realm_id, a.qbo_customer_id)
            for a in accounts
            if a.qbo_customer_id is not None
        }
    qbo = connect(connection)
    by_id = {c.id: c for c in directory.customers(connection.realm_id, qbo)}
    index = directory.index(connection.realm_id, qbo)
    pending = [a for a in accounts if a.id not in busy]
    names = [
        name
        for name in dict.fromkeys(display_name_for(a.name) for a in pending)
        if refused_name_error(name) is None
    ]
    namesakes = qbo.find_customers_by_display_names(names) if names else []
    held = {n.casefold() for n in qbo.display_names_held_by_others(names)} if names else set()
    items = []
    for account in accounts:
        if account.id in busy:
            items.append(BulkItem(account, BulkOutcome.ALREADY_SYNCING))
            continue
        name = display_name_for(account.name)
        linked = None
        if account.qbo_customer_id is not None:
            linked = by_id.get(account.qbo_customer_id) or by_id.get(
                survivors.get(account.qbo_customer_id) or ""
            )
        plan = plan_link(
            name,
            linked=linked,
            namesakes=_namesakes_of(name, namesakes),
            candidates=index.rank(name, account.email),
            held_by_others=name.casefold() in held,
        )
        items.append(BulkItem(account, _OUTCOMES[plan.action], plan=plan))
    return BulkResult(items=items, remaining=remaining)


_OUTCOMES = {
    LinkAction.LINK: BulkOutcome.LINK,
    LinkAction.CREATE: BulkOutcome.CREATE,
    LinkAction.NEEDS_PERSON: BulkOutcome.NEEDS_PERSON,
}


def _select(uow: UnitOfWork, firm_id: int, selection: Selection) -> tuple[list[Account], int]:
    if selection.external_ids is not None:
        wanted = list(dict.fromkeys(selection.external_ids))
        found = {a.external_id: a for a in uow.accounts.by_external_ids(firm_id, wanted)}
        unknown = [external_id for external_id in wanted if external_id not in found]
        if unknown:
            raise UnknownRecordsError("accounts", "external_ids", unknown)
        return [found[external_id] for external_id in wanted], 0
    # A status selects the way the firm's first sync does: all, or only accounts with activity.
    scope = uow.settings.for_firm(firm_id).first_sync_scope
    page, total = uow.accounts.list(
        firm_id,
        status=selection.status,
        offset=0,
        limit=MAX_BULK_ACCOUNTS,
        with_activity=scope is FirstSyncScope.WITH_ACTIVITY,
    )
    return list(page), total - len(page)


def _namesakes_of(name: str, found: Sequence[QboCustomer]) -> list[QboCustomer]:
    """The customers of one batched lookup that QBO returned for `name`.

    QBO decides which names are equal; the lookup answered for a hundred names at once, so
    a customer is given to the name it equals exactly, else to the one it equals but for case.
    """
    exact = [c for c in found if c.display_name == name]
    return exact or [c for c in found if c.display_name.casefold() == name.casefold()]
