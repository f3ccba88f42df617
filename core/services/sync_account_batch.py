"""Account syncs by name settled together: a firm's first sync with as few QBO requests as
QBO allows (SPEC §4, design/jobs.md §7).

A sync job by name also claims the firm's other queued syncs by name (up to 90 in all).
The realm's customer list is read once and kept (core.services.customers): a name QBO holds
is linked without a request of its own, near matches and names QBO refuses fail with the
same advice as a single sync (core.domain.linking), and the rest are created in a batch
request per 30 names, a name shared by several accounts once. Each account's outcome is
recorded against its own job. A member whose job ran before is first looked up by name, so
a batch formed again after a crash creates nothing twice; a name QBO says it holds already
(6240) is looked up and linked when an active customer has it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from core.domain.jobs import MAX_ATTEMPTS, request_id
from core.domain.linking import LinkAction, plan_link
from core.domain.matching import rank_candidates
from core.domain.qbo import DUPLICATE_NAME, QboCustomer, explain_qbo_error, sync_error
from core.errors import NotConnectedError, QboBatchBudgetError, QboError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.account_sync_steps import (
    Claimed,
    Outcome,
    claim_many,
    record_linked,
    record_sync_failed,
    record_sync_transient,
)
from core.services.customers import CustomerDirectory

# QBO's largest batch, and how many syncs one job takes along: about half of a firm's
# accounts are usually linked without a create, so three batches' worth fill about two.
BATCH = 30
MEMBERS = 3 * BATCH


def by_name(claimed: Claimed) -> bool:
    """A sync that links by display name: no customer chosen, none to be made regardless."""
    return (
        claimed.chosen_customer_id is None
        and not claimed.create
        and claimed.connection is not None
        and claimed.job.attempts <= MAX_ATTEMPTS
    )


def claim_sync_siblings(
    uow: UnitOfWork, lead: Claimed, worker_id: str, now: datetime
) -> list[Claimed]:
    """Claim other queued syncs by name of the firm to settle together with `lead`'s.

    The candidates are taken and claimed in one transaction; where the database can, rows
    another worker is taking are skipped, so workers share a backlog out instead of racing
    for its first rows.
    """

    def find(uow: UnitOfWork) -> Sequence[str]:
        return uow.accounts.batchable_sync_jobs(lead.job.firm_id, lead.job.id, now, MEMBERS - 1)

    siblings = []
    for sibling in claim_many(uow, find, worker_id, now):
        if by_name(sibling):
            siblings.append(sibling)
        else:  # its workers kept dying: it ends as a single sync would
            error = sync_error(f"Gave up after {MAX_ATTEMPTS} attempts.", "attempts_exhausted")
            record_sync_failed(uow, sibling.job, worker_id, now, error)
    return siblings


def run_sync_batch(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    dispatcher: JobDispatcher | None,
    members: list[Claimed],
    worker_id: str,
    clock: Callable[[], datetime],
) -> Outcome:
    """Settle the members' syncs together; return the leading member's outcome."""
    batch = _Batch(uow, dispatcher, worker_id, clock)
    lead = members[0]
    assert lead.connection is not None
    realm_id = lead.connection.realm_id
    try:
        qbo = connect(lead.connection)
        customers = directory.customers(realm_id, qbo)
        creates = batch.link_known(members, customers)
        if creates:
            type_id = directory.customer_type_id(realm_id, lead.customer_type, qbo)
            created = batch.create(qbo, lead, creates, type_id)
            directory.remember(realm_id, created)
    except (QboError, NotConnectedError) as exc:
        batch.refuse_unsettled(members, exc)
    return batch.outcomes[lead.job.id]


class _Batch:
    """The outcomes of one batch's members, each recorded in its own transaction."""

    def __init__(
        self,
        uow: UnitOfWork,
        dispatcher: JobDispatcher | None,
        worker_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._uow, self._dispatcher, self._worker_id, self._clock = (
            uow,
            dispatcher,
            worker_id,
            clock,
        )
        self.outcomes: dict[str, Outcome] = {}
        self._running: list[str] = []  # the members' jobs, until each has its outcome

    def link_known(
        self, members: list[Claimed], customers: list[QboCustomer]
    ) -> dict[str, list[Claimed]]:
        """Link or refuse what the customer list decides; return the names to create."""
        by_id = {c.id: c for c in customers}
        named: dict[str, list[QboCustomer]] = defaultdict(list)
        for customer in customers:  # QBO counts names equal whatever their case
            named[customer.display_name.casefold()].append(customer)
        creates: dict[str, list[Claimed]] = {}
        self._running = [member.job.id for member in members]
        for member in members:
            linked = _linked(by_id, member)
            key = member.display_name.casefold()
            namesakes = [] if linked else named.get(key, [])
            candidates = []
            if linked is None and not namesakes:
                candidates = rank_candidates(member.display_name, member.email, customers)
            plan = plan_link(
                member.display_name, linked=linked, namesakes=namesakes, candidates=candidates
            )
            if plan.action is LinkAction.LINK:
                assert plan.customer_id is not None
                self.link(member, plan.customer_id)
            elif plan.action is LinkAction.NEEDS_PERSON:
                assert plan.error is not None
                self.fail(member, plan.error, unlink=member.linked_customer_id is not None)
            else:
                creates.setdefault(key, []).append(member)
        return creates

    def create(
        self, qbo: Qbo, lead: Claimed, creates: dict[str, list[Claimed]], type_id: str | None
    ) -> list[QboCustomer]:
        """Create each name once in one batch request; link its accounts to what QBO made."""
        retried = [
            group[0].display_name
            for group in creates.values()
            if any(m.job.attempts > 1 for m in group)
        ]
        for found in qbo.find_customers_by_display_names(retried) if retried else []:
            group = creates.pop(found.display_name.casefold(), None)
            if group is not None and found.active:  # an earlier run made it
                for member in group:
                    self.link(member, found.id)
            elif group is not None:
                creates[found.display_name.casefold()] = group
        drafts = [(str(group[0].job.target_id), group) for group in creates.values()]
        answers: dict[str, QboCustomer | QboError] = {}
        for start in range(0, len(drafts), BATCH):
            chunk = drafts[start : start + BATCH]
            answers |= _create_customers(
                qbo, lead, chunk, type_id, start // BATCH, self.keep_leases
            )
        created = []
        for bid, group in drafts:
            answer = answers[bid]
            if isinstance(answer, QboCustomer):
                created.append(answer)
                for member in group:
                    self.link(member, answer.id)
            elif isinstance(answer, QboError) and answer.code == DUPLICATE_NAME:
                self._link_holder(qbo, group, answer)
            else:
                for member in group:
                    self.refuse(member, answer)
        return created

    def keep_leases(self) -> None:
        """Renew the leases of the members still running: a long batch keeps its jobs."""
        with self._uow:
            self._uow.jobs.renew_leases(self._running, self._worker_id, self._clock())
            self._uow.commit()

    def _link_holder(self, qbo: Qbo, group: list[Claimed], refusal: QboError) -> None:
        """QBO holds the name already: an active customer made meanwhile is linked."""
        active = [c for c in qbo.find_customers_by_display_name(group[0].display_name) if c.active]
        for member in group:
            if active:
                self.link(member, min(active, key=lambda c: int(c.id)).id)
            else:
                self.refuse(member, refusal)

    def refuse_unsettled(self, members: list[Claimed], refusal: Exception) -> None:
        """The batch as a whole failed: each member not settled yet ends as one sync would."""
        for member in members:
            if member.job.id not in self.outcomes:
                self.refuse(member, refusal)

    def refuse(self, member: Claimed, refusal: Exception) -> None:
        if isinstance(refusal, QboTransientError):
            self.outcomes[member.job.id] = record_sync_transient(
                self._uow, member.job, self._worker_id, self._clock(), refusal.as_record()
            )
        elif isinstance(refusal, QboError):
            self.fail(member, explain_qbo_error(refusal, member.display_name))
        else:
            self.fail(member, sync_error(str(refusal), "not_connected"))

    def link(self, member: Claimed, customer_id: str) -> None:
        self.outcomes[member.job.id] = record_linked(
            self._uow, member.job, self._worker_id, self._clock(), customer_id, self._dispatcher
        )

    def fail(self, member: Claimed, error: dict[str, object], *, unlink: bool = False) -> None:
        self.outcomes[member.job.id] = record_sync_failed(
            self._uow, member.job, self._worker_id, self._clock(), error, unlink=unlink
        )


def _create_customers(
    qbo: Qbo,
    lead: Claimed,
    drafts: list[tuple[str, list[Claimed]]],
    type_id: str | None,
    number: int,
    keep_leases: Callable[[], None],
) -> dict[str, QboCustomer | QboError]:
    """The names in one batch request; one name, or names whose batch would have to wait for
    QBO's 40 batches a minute, with a call each, which have room of their own."""
    keep_leases()  # the calls below may take a while: the members' jobs stay this worker's
    if len(drafts) > 1:
        try:
            return qbo.create_customers_in_batch(
                [(bid, group[0].display_name, type_id) for bid, group in drafts],
                request_id=request_id(lead.job.id, f"batch{number}"),
            )
        except QboBatchBudgetError:
            pass
    answers: dict[str, QboCustomer | QboError] = {}
    for n, (bid, group) in enumerate(drafts):
        if n and n % 10 == 0:
            keep_leases()
        answers[bid] = _create_one(qbo, group[0], type_id)
    return answers


def _create_one(qbo: Qbo, member: Claimed, type_id: str | None) -> QboCustomer | QboError:
    try:
        return qbo.create_customer(
            member.display_name,
            request_id=request_id(member.job.id, "create-customer"),
            customer_type_id=type_id,
        )
    except QboError as exc:  # recorded against the accounts of this name only
        return exc


def _linked(by_id: dict[str, QboCustomer], member: Claimed) -> QboCustomer | None:
    """The active customer the account is linked to, or the one it was merged into."""
    for customer_id in (member.linked_customer_id, member.merged_into):
        customer = by_id.get(customer_id) if customer_id is not None else None
        if customer is not None:
            return customer if customer.active else None
    return None
