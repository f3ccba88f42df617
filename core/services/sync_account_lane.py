"""A firm's syncs by name, settled many at a time: its first sync at QBO's own pace (SPEC §4,
design/jobs.md §6-7).

A firm's queued syncs by name form its lane. A run takes as many of them as the company's
room in QBO's minute can carry now: enough new names for a batch request of 30 while the
minute has a batch request left, a few for single calls while it has only those, none when
it is spent (the run then asks to be woken when the minute opens again). Names QBO holds are
linked from the kept customer list without a request; near matches and names QBO refuses
fail with the advice a single sync gives (core.domain.linking). What a run takes but cannot
send now goes back to the lane untried.

At most LANE_RUNS runs work on one firm's lane at once, so a firm's backlog leaves the other
worker threads to other firms; a run hands the lane on with one message when it ends.

Every create is recorded before it is sent (core.domain.sends). A member whose earlier run
may have sent its create is settled by sending that same request again — QBO answers a
repeated request id with its first answer — so a batch resent after a crash creates nothing
twice and costs no read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.domain.jobs import MAX_ATTEMPTS, Lane, request_id
from core.domain.linking import LinkAction, plan_link
from core.domain.qbo import DUPLICATE_NAME, QboCustomer, Room, explain_qbo_error, sync_error
from core.domain.sends import QboSend, SendItem, new_send_id
from core.errors import NotConnectedError, QboBatchBudgetError, QboError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, RealmBudget, UnitOfWork
from core.services.account_sync_steps import (
    Claimed,
    Outcome,
    Settlement,
    claim_lane_syncs,
    claim_sync,
    claimed_syncs,
    record_settlements,
)
from core.services.customers import CustomerDirectory

log = logging.getLogger(__name__)

# Runs at work on one firm's lane at once: enough to keep QBO's batch and single channels
# busy for one company (issue 16), few enough to leave threads to other firms.
LANE_RUNS = 4
BATCH = 30  # QBO's largest batch
SINGLES_PER_RUN = 4  # new names one run creates with single calls: a short run, so the next
# one looks again at whether a batch request fits
MEMBERS = 90  # most syncs one run takes along
CUSTOMER = "customer"


class UnpacedBudget:
    """Room for everything: where no gate paces the requests (tests of the decisions)."""

    def room(self, realm_id: str) -> Room:
        return Room(singles=460, batches=40)


def run_sync_lane(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    budget: RealmBudget,
    dispatcher: JobDispatcher | None,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
) -> Outcome | None:
    """Run the lane of the job's firm, starting with the job when it can be claimed; None
    when the job is of no lane.

    A message whose job is done already, or taken, runs the lane's oldest due job instead,
    so that every message a lane gets keeps it going; when LANE_RUNS runs are at work on the
    lane, the message is left to them (DEFERRED). Returns the outcome for `job_id`.
    """
    with uow:
        lane = uow.jobs.lane_of(job_id)
        busy = uow.jobs.lane_runs(*lane, clock()) if lane is not None else 0
    if lane is None:
        return None
    if busy >= LANE_RUNS:
        return Outcome.DEFERRED
    firm_id, name = lane
    lead = claim_sync(uow, job_id, worker_id, clock())
    if lead is None:
        taken = claim_lane_syncs(uow, firm_id, name, worker_id, clock(), 1)
        if not taken:
            return Outcome.NOT_CLAIMED
        lead = taken[0]
    run = _LaneRun(uow, connect, directory, budget, dispatcher, name, worker_id, clock)
    run.go(lead)
    return run.outcomes.get(job_id, Outcome.NOT_CLAIMED)


@dataclass
class _Group:
    """Accounts of one name: one create serves them all."""

    name: str
    members: list[Claimed] = field(default_factory=list)

    @property
    def bid(self) -> str:
        return str(self.members[0].job.target_id)  # an account id: at most 10 digits


class _LaneRun:
    """One run of a firm's lane: what it took, what it settled, and what it gives back."""

    def __init__(
        self,
        uow: UnitOfWork,
        connect: QboConnector,
        directory: CustomerDirectory,
        budget: RealmBudget,
        dispatcher: JobDispatcher | None,
        lane: Lane,
        worker_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._uow, self._connect, self._directory = uow, connect, directory
        self._budget, self._dispatcher, self._lane = budget, dispatcher, lane
        self._worker_id, self._clock = worker_id, clock
        self.outcomes: dict[str, Outcome] = {}
        self._held: dict[str, Claimed] = {}  # claimed and not settled yet, by job id
        self._decided: list[Settlement] = []  # settled from the customer list, not recorded
        self._wait_s = 0.0  # when the run could send nothing: until QBO's minute opens

    def go(self, lead: Claimed) -> None:
        """Settle the lead and the syncs taken along; hand the lane on."""
        firm_id = lead.job.firm_id
        self._hold([lead])
        try:
            if lead.connection is None:
                raise NotConnectedError()
            realm_id = lead.connection.realm_id
            qbo = self._connect(lead.connection)
            self._run(qbo, realm_id, firm_id, lead)
        except (QboError, NotConnectedError) as exc:
            self._refuse_held(exc)
        # Not in a `finally`: a worker that dies gives nothing back; its leases run out.
        self._give_back(list(self._held))
        self._hand_on(firm_id)

    def _run(self, qbo: Qbo, realm_id: str, firm_id: int, lead: Claimed) -> None:
        fresh = self._resend_unanswered(qbo, realm_id, [lead])
        room = self._budget.room(realm_id)
        target = BATCH if room.batches else SINGLES_PER_RUN if room.singles else 0
        groups: dict[str, _Group] = {}
        if fresh:
            self._decide(qbo, realm_id, fresh, groups)
        while len(groups) < target and len(self._held) + len(self.outcomes) < MEMBERS:
            wanted = max(4, 2 * (target - len(groups)))
            taken = claim_lane_syncs(
                self._uow,
                firm_id,
                self._lane,
                self._worker_id,
                self._clock(),
                min(wanted, MEMBERS - len(self._held) - len(self.outcomes)),
            )
            if not taken:
                break
            self._hold(taken)
            fresh = self._resend_unanswered(qbo, realm_id, taken)
            self._decide(qbo, realm_id, fresh, groups)
        self._settle_decided()
        creates = list(groups.values())[:target]
        if not creates:
            self._wait_s = room.wait_s
            return
        type_id = self._directory.customer_type_id(realm_id, lead.customer_type, qbo)
        if target == BATCH and len(creates) > 1:
            try:
                self._create_in_batch(qbo, realm_id, firm_id, creates, type_id)
                return
            except QboBatchBudgetError:
                pass  # another run took the minute's last batch: single calls have room
        self._create_singly(qbo, realm_id, firm_id, creates[:SINGLES_PER_RUN], type_id)

    # What the run holds --------------------------------------------------------------------

    def _hold(self, members: Sequence[Claimed]) -> None:
        for member in members:
            self._held[member.job.id] = member

    def _record(self, settlements: list[Settlement], *, answered_send: str | None = None) -> None:
        """Record these members' outcomes in one transaction; they are no longer held."""
        if not settlements and answered_send is None:
            return
        outcomes = record_settlements(
            self._uow,
            settlements,
            self._worker_id,
            self._clock(),
            self._dispatcher,
            answered_send=answered_send,
        )
        self.outcomes.update(outcomes)
        for settlement in settlements:
            self._held.pop(settlement.job.id, None)

    def _give_back(self, job_ids: list[str]) -> None:
        """Return claimed syncs this run will not settle to the lane, untried."""
        if not job_ids:
            return
        with self._uow:
            self._uow.jobs.release(job_ids, self._worker_id, self._clock())
            self._uow.commit()
        for job_id in job_ids:
            self._held.pop(job_id, None)

    def _keep_leases(self) -> None:
        """Renew the leases of what the run holds: a long wait at the gate keeps its jobs."""
        with self._uow:
            self._uow.jobs.renew_leases(list(self._held), self._worker_id, self._clock())
            self._uow.commit()

    def _hand_on(self, firm_id: int) -> None:
        """Wake the lane's next run when it has more due work (later, if QBO's minute is
        spent); the run's own message is used up."""
        if self._dispatcher is None:
            return
        with self._uow:
            following = self._uow.jobs.next_in_lane(firm_id, self._lane, self._clock())
        if following is None:
            return
        try:
            self._dispatcher.dispatch(following, delay_seconds=min(self._wait_s, 60.0))
        except Exception:  # the broker is away: the relay hands the lane on later
            log.warning("lane of firm %s not handed on; the relay will", firm_id, exc_info=True)

    # Deciding ------------------------------------------------------------------------------

    def _decide(
        self, qbo: Qbo, realm_id: str, members: list[Claimed], groups: dict[str, _Group]
    ) -> None:
        """Plan each member from the kept customer list; add the names to create to `groups`."""
        index = self._directory.index(realm_id, qbo)
        for member in members:
            if member.job.attempts > MAX_ATTEMPTS:  # its workers kept dying
                error = sync_error(
                    f"Gave up after {MAX_ATTEMPTS} attempts; sync the account again to retry.",
                    "attempts_exhausted",
                    retryable=True,
                )
                self._decided.append(Settlement.failed(member.job, error))
                continue
            linked = _linked(index.get, member)
            namesakes = [] if linked else index.namesakes(member.display_name)
            candidates = []
            if linked is None and not namesakes:  # only then do near matches decide anything
                candidates = index.rank(member.display_name, member.email)
            plan = plan_link(
                member.display_name, linked=linked, namesakes=namesakes, candidates=candidates
            )
            if plan.action is LinkAction.LINK:
                assert plan.customer_id is not None
                self._decided.append(Settlement.linked(member.job, plan.customer_id))
            elif plan.action is LinkAction.NEEDS_PERSON:
                assert plan.error is not None
                unlink = member.linked_customer_id is not None
                self._decided.append(Settlement.failed(member.job, plan.error, unlink=unlink))
            else:
                key = member.display_name.casefold()  # QBO counts names equal whatever the case
                groups.setdefault(key, _Group(member.display_name)).members.append(member)

    def _settle_decided(self) -> None:
        decided, self._decided = self._decided, []
        self._record(decided)

    # Creating ------------------------------------------------------------------------------

    def _create_in_batch(
        self,
        qbo: Qbo,
        realm_id: str,
        firm_id: int,
        groups: list[_Group],
        type_id: str | None,
    ) -> None:
        """Create the groups' names in one batch request, recorded before it is sent."""
        send = _send_of(firm_id, groups, type_id, self._clock(), batch=True)
        self._store(send)
        try:
            answers = _ask(qbo, send)
        except QboBatchBudgetError:  # refused at our own gate: it never left
            with self._uow:
                self._uow.sends.discard(send.id)
                self._uow.commit()
            raise
        self._settle_send(qbo, realm_id, send, answers)

    def _create_singly(
        self,
        qbo: Qbo,
        realm_id: str,
        firm_id: int,
        groups: list[_Group],
        type_id: str | None,
    ) -> None:
        """Create each name with a call of its own while the minute has room for it; what
        does not fit goes back to the lane."""
        for n, group in enumerate(groups):
            if n and not self._budget.room(realm_id).singles:
                return  # other runs took the room left: the rest wait for the next run
            send = _send_of(firm_id, [group], type_id, self._clock(), batch=False)
            self._store(send)
            self._settle_send(qbo, realm_id, send, _ask(qbo, send))

    def _store(self, send: QboSend) -> None:
        """Record the send before it goes, and keep the leases of the run's jobs."""
        with self._uow:
            self._uow.sends.add(send)
            self._uow.jobs.renew_leases(list(self._held), self._worker_id, self._clock())
            self._uow.commit()

    def _resend_unanswered(self, qbo: Qbo, realm_id: str, members: list[Claimed]) -> list[Claimed]:
        """Settle the members whose earlier runs recorded a send that was never answered, by
        sending it again exactly; return the members with no such send."""
        retried = [m.job.id for m in members if m.job.attempts > 1]
        if not retried:
            return members
        with self._uow:
            sends = self._uow.sends.unanswered_for(retried)
        for send in sends:
            self._take_over(send)
            try:
                answers = _ask(qbo, send)
            except QboBatchBudgetError:
                continue  # the send waits for the next minute; its members go back below
            self._settle_send(qbo, realm_id, send, answers)
        in_sends = {item.job_id for send in sends for item in send.items}
        return [m for m in members if m.job.id not in in_sends and m.job.id in self._held]

    def _take_over(self, send: QboSend) -> None:
        """Claim the send's other jobs that no live worker holds, to settle them with it."""
        for item in send.items:
            if item.job_id in self._held or item.job_id in self.outcomes:
                continue
            with self._uow:
                job = self._uow.jobs.claim(item.job_id, self._worker_id, self._clock())
                taken = claimed_syncs(self._uow, [job]) if job is not None else []
                self._uow.commit()
            self._hold(taken)

    def _settle_send(self, qbo: Qbo, realm_id: str, send: QboSend, answers: _Answers) -> None:
        """Record each held member's answer, and that the send was answered (unless the
        request itself failed on the way: then the members' retry sends it again)."""
        created = [a for a in answers.by_bid.values() if isinstance(a, QboCustomer)]
        self._directory.remember(realm_id, created)  # near matches and later runs see them
        settlements = []
        for bid, draft in send.drafts().items():
            answer = answers.by_bid[bid]
            for job_id in send.jobs_of(bid):
                member = self._held.get(job_id)
                if member is not None:
                    settlements.append(self._answer_for(qbo, member, draft, answer))
        self._record(settlements, answered_send=send.id if answers.answered else None)

    def _answer_for(
        self, qbo: Qbo, member: Claimed, draft: dict[str, Any], answer: QboCustomer | QboError
    ) -> Settlement:
        if isinstance(answer, QboCustomer):
            return Settlement.linked(member.job, answer.id)
        if answer.code == DUPLICATE_NAME:  # QBO holds the name: someone made it meanwhile
            holders = qbo.find_customers_by_display_name(str(draft["display_name"]))
            active = [c for c in holders if c.active]
            if active:
                return Settlement.linked(member.job, min(active, key=lambda c: int(c.id)).id)
        return _refusal(member, answer)

    def _refuse_held(self, refusal: Exception) -> None:
        """The run as a whole failed: each member it holds ends as one sync would."""
        self._settle_decided()
        self._record([_refusal(member, refusal) for member in self._held.values()])


def _refusal(member: Claimed, refusal: Exception) -> Settlement:
    if isinstance(refusal, QboTransientError):
        return Settlement.retried(member.job, refusal.as_record())
    if isinstance(refusal, QboError):
        return Settlement.failed(member.job, explain_qbo_error(refusal, member.display_name))
    return Settlement.failed(member.job, sync_error(str(refusal), "not_connected"))


def _send_of(
    firm_id: int, groups: list[_Group], type_id: str | None, now: datetime, *, batch: bool
) -> QboSend:
    """The request that creates the groups' names, with the request id QBO dedupes on."""
    send_id = new_send_id()
    # A batch's id goes with each bId (at most 50 characters together); a single create
    # keeps the id a job's own create has always had.
    rid = send_id if batch else request_id(groups[0].members[0].job.id, "create-customer")
    items = tuple(
        SendItem(
            job_id=member.job.id,
            bid=group.bid,
            draft={"display_name": group.name, "customer_type_id": type_id},
        )
        for group in groups
        for member in group.members
    )
    return QboSend(
        id=send_id,
        firm_id=firm_id,
        entity=CUSTOMER,
        request_id=rid,
        batch=batch,
        created_at=now,
        items=items,
    )


@dataclass(frozen=True)
class _Answers:
    """What QBO answered a send, per bId; `answered` is False when the request failed on
    the way (a timeout, a dropped connection, a 5xx) and may or may not have been carried out."""

    by_bid: dict[str, QboCustomer | QboError]
    answered: bool = True


def _ask(qbo: Qbo, send: QboSend) -> _Answers:
    """Send exactly what `send` records."""
    drafts = send.drafts()
    try:
        if send.batch:
            return _Answers(
                qbo.create_customers_in_batch(
                    [(bid, d["display_name"], d["customer_type_id"]) for bid, d in drafts.items()],
                    request_id=send.request_id,
                )
            )
        [(bid, draft)] = drafts.items()
        created = qbo.create_customer(
            draft["display_name"],
            request_id=send.request_id,
            customer_type_id=draft["customer_type_id"],
        )
        return _Answers({bid: created})
    except QboBatchBudgetError:
        raise
    except QboTransientError as exc:
        return _Answers({bid: exc for bid in drafts}, answered=False)
    except QboError as exc:  # refused as a whole: every item's answer
        return _Answers({bid: exc for bid in drafts})


def _linked(get: Callable[[str], QboCustomer | None], member: Claimed) -> QboCustomer | None:
    """The active customer the account is linked to, or the one it was merged into."""
    for customer_id in (member.linked_customer_id, member.merged_into):
        customer = get(customer_id) if customer_id is not None else None
        if customer is not None:
            return customer if customer.active else None
    return None
