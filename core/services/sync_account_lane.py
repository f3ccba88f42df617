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
from datetime import datetime
from typing import Any

from core.domain.jobs import MAX_ATTEMPTS, Lane
from core.domain.linking import LinkAction, plan_link
from core.domain.qbo import DUPLICATE_NAME, QboCustomer, Room, explain_qbo_error, sync_error
from core.domain.sends import QboSend
from core.errors import NotConnectedError, QboBatchBudgetError, QboError, QboTransientError
from core.ports import JobDispatcher, Qbo, QboConnector, RealmBudget, UnitOfWork
from core.services.account_sync_steps import (
    Claimed,
    Outcome,
    Settlement,
    claim_lane_syncs,
    claimed_syncs,
    record_settlements,
)
from core.services.customer_sends import Answers, NameGroup, ask, customer_send
from core.services.customers import CustomerDirectory
from core.services.lane_runs import LaneKey, LaneRuns
from core.services.relay import REPUBLISH_AFTER

log = logging.getLogger(__name__)

# Runs at work on one firm's lane at once: enough to keep QBO's batch and single channels
# busy for one company (issue 16), few enough to leave threads to other firms.
LANE_RUNS = 6
BATCH = 30  # QBO's largest batch
SINGLES_PER_RUN = 4  # new names one run creates with single calls: a short run, so the next
# one looks again at whether a batch request fits
MEMBERS = 90  # most syncs one run takes along


class UnpacedBudget:
    """Room for everything: where no gate paces the requests (tests of the decisions)."""

    def room(self, realm_id: str) -> Room:
        return Room(singles=460, batches=40)


def creates_for(room: Room) -> int:
    """How many new names a run takes on with this much room in QBO's minute."""
    return BATCH if room.batches else SINGLES_PER_RUN if room.singles else 0


def run_sync_lane(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    budget: RealmBudget,
    dispatcher: JobDispatcher | None,
    job_id: str,
    worker_id: str,
    clock: Callable[[], datetime],
    *,
    runs: LaneRuns | None = None,
    lane: LaneKey | None = None,
) -> Outcome | None:
    """Run the lane of the job's firm, starting with the job when it can be claimed; None
    when the job is of no lane.

    A message whose job is done already, or taken, runs the lane's oldest due job instead,
    so that every message a lane gets keeps it going; when LANE_RUNS runs are at work on the
    lane, the message is left to them (DEFERRED). `runs` counts this process's runs; `lane`
    is the lane the message says the job is of, which spares the database that question.
    Returns the outcome for `job_id`.
    """
    runs = runs or LaneRuns(LANE_RUNS)
    if lane is not None and not runs.try_enter(lane):
        return Outcome.DEFERRED  # this process alone has the lane's runs at work
    entered = lane
    try:
        with uow:  # one transaction: every message of a lane passes here
            lane = lane or uow.jobs.lane_of(job_id)
            if lane is None:
                return None
            if entered is None:
                if not runs.try_enter(lane):
                    return Outcome.DEFERRED
                entered = lane
            taken = _take(uow, budget, lane, job_id, worker_id, clock())
            if taken is None:
                return Outcome.DEFERRED
            members, room = taken
            uow.commit()
        if not members:
            return Outcome.NOT_CLAIMED
        run = _LaneRun(uow, connect, directory, budget, dispatcher, lane[1], worker_id, clock)
        run.go(members, room)
        return run.outcomes.get(job_id, Outcome.NOT_CLAIMED)
    finally:
        if entered is not None:
            runs.leave(entered)


def _take(
    uow: UnitOfWork,
    budget: RealmBudget,
    lane: LaneKey,
    job_id: str,
    worker_id: str,
    now: datetime,
) -> tuple[list[Claimed], Room] | None:
    """Claim the job (or the lane's oldest due one) and as many more as the company's room
    asks for; None when the lane has its runs at work."""
    firm_id, name = lane
    if uow.jobs.lane_runs(firm_id, name, now) >= LANE_RUNS:
        return None
    job = uow.jobs.claim(job_id, worker_id, now)
    jobs = [job] if job else uow.jobs.claim_lane(firm_id, name, worker_id, now, 1)
    connection = uow.connections.for_firm(firm_id)
    room = budget.room(connection.realm_id) if connection else UnpacedBudget().room("")
    wanted = 2 * creates_for(room) - len(jobs)  # about half of a firm's names QBO has
    if jobs and wanted > 0:
        jobs += uow.jobs.claim_lane(firm_id, name, worker_id, now, wanted)
    return claimed_syncs(uow, jobs), room


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

    def go(self, members: list[Claimed], room: Room) -> None:
        """Settle the members and what more the room asks for; hand the lane on."""
        lead = members[0]
        self._hold(members)
        try:
            if lead.connection is None:
                raise NotConnectedError()
            qbo = self._connect(lead.connection)
            self._run(qbo, lead.connection.realm_id, members, room)
        except (QboError, NotConnectedError) as exc:
            self._refuse_held(exc)
        # Not in a `finally`: a worker that dies gives nothing back; its leases run out.
        self._give_back_and_hand_on(lead.job.firm_id)

    def _run(self, qbo: Qbo, realm_id: str, members: list[Claimed], room: Room) -> None:
        lead, target = members[0], creates_for(room)
        groups: dict[str, NameGroup] = {}
        self._decide(qbo, realm_id, self._resend_unanswered(qbo, realm_id, members), groups)
        while len(groups) < target and len(self._held) + len(self.outcomes) < MEMBERS:
            # More names QBO has than usual: take more along.
            wanted = min(2 * (target - len(groups)), MEMBERS - len(self._held) - len(self.outcomes))
            taken = claim_lane_syncs(
                self._uow, lead.job.firm_id, self._lane, self._worker_id, self._clock(), wanted
            )
            if not taken:
                break
            self._hold(taken)
            self._decide(qbo, realm_id, self._resend_unanswered(qbo, realm_id, taken), groups)
        creates = list(groups.values())[:target]
        if not creates:
            self._record_decided()
            self._wait_s = room.wait_s
            return
        type_id = self._directory.customer_type_id(realm_id, lead.customer_type, qbo)
        if target == BATCH and len(creates) > 1:
            send = customer_send(lead.job.firm_id, creates, type_id, self._clock(), batch=True)
            self._store(send)
            try:
                # What the list decided is recorded with the batch's answers: one transaction.
                self._settle_send(qbo, realm_id, send, ask(qbo, send), with_decided=True)
                return
            except QboBatchBudgetError:  # another run took the minute's last batch request
                with self._uow:  # it never left: forget it, and go singly
                    self._uow.sends.discard(send.id)
                    self._uow.commit()
        self._record_decided()
        self._create_singly(qbo, realm_id, creates[:SINGLES_PER_RUN], type_id)

    # What the run holds --------------------------------------------------------------------

    def _hold(self, members: Sequence[Claimed]) -> None:
        for member in members:
            self._held[member.job.id] = member

    def _record(
        self,
        settlements: list[Settlement],
        also: Callable[[UnitOfWork], None] | None = None,
    ) -> None:
        """Record these members' outcomes (and `also`) in one transaction."""
        if not settlements and also is None:
            return
        outcomes = record_settlements(
            self._uow, settlements, self._worker_id, self._clock(), self._dispatcher, also=also
        )
        self.outcomes.update(outcomes)
        for settlement in settlements:
            self._held.pop(settlement.job.id, None)

    def _record_decided(self) -> None:
        """Record what the customer list decided."""
        decided, self._decided = self._decided, []
        self._record(decided)

    def _store(self, send: QboSend) -> None:
        """Record the send before it goes, and keep the leases of what the run holds."""
        with self._uow:
            self._uow.sends.add(send)
            self._uow.jobs.renew_leases(list(self._held), self._worker_id, self._clock())
            self._uow.commit()

    def _give_back_and_hand_on(self, firm_id: int) -> None:
        """Return the syncs this run did not settle to the lane, untried, and wake the lane's
        next run when it has due work (later, if QBO's minute is spent)."""
        now = self._clock()
        with self._uow:
            if self._held:
                self._uow.jobs.release(list(self._held), self._worker_id, now)
            following = self._uow.jobs.next_in_lane(firm_id, self._lane, now)
            self._uow.commit()
        self._held.clear()
        if following is None or self._dispatcher is None:
            return
        try:
            self._dispatcher.dispatch(following, delay_seconds=min(self._wait_s, 60.0))
        except Exception:  # the broker is away: the relay hands the lane on at its next sweep
            log.warning("lane of firm %s not handed on; the relay will", firm_id, exc_info=True)
            return
        with self._uow:  # marked once the message went, as the relay marks what it sends
            self._uow.jobs.mark_lane_published(firm_id, self._lane, now, now - REPUBLISH_AFTER)
            self._uow.commit()

    # Deciding ------------------------------------------------------------------------------

    def _decide(
        self, qbo: Qbo, realm_id: str, members: list[Claimed], groups: dict[str, NameGroup]
    ) -> None:
        """Plan each member from the kept customer list; add the names to create to `groups`."""
        if not members:
            return  # the list is not read for nothing
        index = self._directory.index(realm_id, qbo)
        for member in members:
            if member.job.counted_attempts > MAX_ATTEMPTS:  # its workers kept dying
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
                groups.setdefault(key, NameGroup(member.display_name)).members.append(member)

    # Creating ------------------------------------------------------------------------------

    def _create_singly(
        self, qbo: Qbo, realm_id: str, groups: list[NameGroup], type_id: str | None
    ) -> None:
        """Create each name with a call of its own while the minute has room for it; what
        does not fit goes back to the lane."""
        for n, group in enumerate(groups):
            if n and not self._budget.room(realm_id).singles:
                return  # other runs took the room left: the rest wait for the next run
            firm_id = group.members[0].job.firm_id
            send = customer_send(firm_id, [group], type_id, self._clock(), batch=False)
            self._store(send)
            self._settle_send(qbo, realm_id, send, ask(qbo, send))

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
                answers = ask(qbo, send)
            except QboBatchBudgetError:
                continue  # the send waits for the next minute; its members go back
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

    def _settle_send(
        self,
        qbo: Qbo,
        realm_id: str,
        send: QboSend,
        answers: Answers,
        *,
        with_decided: bool = False,
    ) -> None:
        """Record each held member's answer, and that the send was answered (unless the
        request itself failed on the way: then the members' retry sends it again); with
        `with_decided`, what the list decided in the same transaction."""
        created = [a for a in answers.by_bid.values() if isinstance(a, QboCustomer)]
        self._directory.remember(realm_id, created)  # near matches and later runs see them
        settlements = []
        for bid, draft in send.drafts().items():
            answer = answers.by_bid[bid]
            for job_id in send.jobs_of(bid):
                member = self._held.get(job_id)
                if member is not None:
                    settlements.append(self._answer_for(qbo, member, draft, answer))
        now = self._clock()

        def answered(uow: UnitOfWork) -> None:
            uow.sends.answered(send.id, now)

        if with_decided:
            settlements, self._decided = self._decided + settlements, []
        self._record(settlements, answered if answers.answered else None)

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
        self._record_decided()
        self._record([_refusal(member, refusal) for member in self._held.values()])


def _refusal(member: Claimed, refusal: Exception) -> Settlement:
    if isinstance(refusal, QboTransientError):
        return Settlement.retried(member.job, refusal.as_record())
    if isinstance(refusal, QboError):
        return Settlement.failed(member.job, explain_qbo_error(refusal, member.display_name))
    return Settlement.failed(member.job, sync_error(str(refusal), "not_connected"))


def _linked(get: Callable[[str], QboCustomer | None], member: Claimed) -> QboCustomer | None:
    """The active customer the account is linked to, or the one it was merged into."""
    for customer_id in (member.linked_customer_id, member.merged_into):
        customer = get(customer_id) if customer_id is not None else None
        if customer is not None:
            return customer if customer.active else None
    return None
