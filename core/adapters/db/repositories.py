"""SQL repositories: intent in the names, compare-and-set in the statements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.adapters.db import account_counts
from core.adapters.db.tables import (
    accounts,
    api_keys,
    customer_merges,
    invoices,
    jobs,
    oauth_states,
    payments,
    qbo_connections,
    qbo_sends,
    status_changes,
    status_event_subscriptions,
)
from core.domain.billing import Invoice, Payment
from core.domain.jobs import ACTIVE_STATES, LEASE, Job, JobKind, JobState, Lane
from core.domain.records import (
    Account,
    ApiKey,
    CustomerMerge,
    Firm,
    OAuthState,
    QboConnection,
    StatusChange,
)
from core.domain.sends import QboSend, SendItem
from core.domain.settings import FirmSettings
from core.domain.status import SyncStatus
from core.domain.status_events import StatusEventSubscription

# How long reading status changes for delivery waits for the transactions writing them to
# commit: well under PostgreSQL's deadlock check (deadlock_timeout, 1 s by default), so a
# writer queued behind the wait is never picked as a deadlock's victim because of it.
SETTLE_WAIT = "200ms"


class SqlFirms:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, firm: Firm) -> None:
        self._s.add(firm)

    def get(self, firm_id: int) -> Firm | None:
        return self._s.get(Firm, firm_id)


class SqlApiKeys:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, key: ApiKey) -> None:
        self._s.add(key)

    def find_active(self, key_hash: str) -> ApiKey | None:
        query = sa.select(ApiKey).filter_by(key_hash=key_hash, revoked_at=None)
        return self._s.scalars(query).first()

    def get(self, firm_id: int, key_id: int) -> ApiKey | None:
        return self._s.scalars(sa.select(ApiKey).filter_by(firm_id=firm_id, id=key_id)).first()

    def for_firm(self, firm_id: int) -> list[ApiKey]:
        query = sa.select(ApiKey).filter_by(firm_id=firm_id).order_by(api_keys.c.id)
        return list(self._s.scalars(query))


class SqlConnections:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, connection: QboConnection) -> None:
        self._s.add(connection)

    def for_firm(self, firm_id: int) -> QboConnection | None:
        return self._s.scalars(sa.select(QboConnection).filter_by(firm_id=firm_id)).first()

    def lock_for_firm(self, firm_id: int) -> QboConnection | None:
        # A no-op UPDATE takes the row's write lock on PostgreSQL and the database's on SQLite
        # (which has no FOR UPDATE): a second refresher, in any process, waits here until the
        # first commits, then reads the new tokens.
        self._s.execute(
            sa.update(qbo_connections)
            .where(qbo_connections.c.firm_id == firm_id)
            .values(firm_id=qbo_connections.c.firm_id),
            execution_options={"synchronize_session": False},
        )
        query = sa.select(QboConnection).filter_by(firm_id=firm_id)
        return self._s.scalars(query.execution_options(populate_existing=True)).first()

    def remove(self, connection: QboConnection) -> None:
        self._s.delete(connection)

    def add_state(self, state: OAuthState) -> None:
        self._s.add(state)

    def take_state(self, state_hash: str, now: datetime) -> OAuthState | None:
        """Use up a pending consent's state: compare-and-set, so a state works only once."""
        taken = self._s.execute(
            sa.update(oauth_states)
            .where(
                oauth_states.c.state_hash == state_hash,
                oauth_states.c.used_at.is_(None),
                oauth_states.c.expires_at > now,
            )
            .values(used_at=now),
            execution_options={"synchronize_session": False},
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self._s.scalars(sa.select(OAuthState).filter_by(state_hash=state_hash)).one()

    def all(self) -> list[QboConnection]:
        return list(self._s.scalars(sa.select(QboConnection).order_by(QboConnection.id)))  # type: ignore[arg-type]

    def for_realm(self, realm_id: str) -> list[QboConnection]:
        """The connections to one QBO company (one per firm; firms may share a company)."""
        query = sa.select(QboConnection).filter_by(realm_id=realm_id)
        return list(self._s.scalars(query.order_by(QboConnection.id)))  # type: ignore[arg-type]


class SqlAccounts:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, account: Account) -> None:
        self._s.add(account)
        account_counts.note(self._s, account.firm_id, account.status, +1)

    def get(self, firm_id: int, external_id: str, *, for_update: bool = False) -> Account | None:
        """The firm's account; `for_update` locks its row until the transaction ends."""
        query = sa.select(Account).filter_by(firm_id=firm_id, external_id=external_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).first()

    def get_by_id(self, account_id: int) -> Account | None:
        return self._s.get(Account, account_id)

    def by_external_ids(self, firm_id: int, external_ids: Sequence[str]) -> list[Account]:
        """The firm's accounts with these ids, in no particular order; unknown ids are left out."""
        query = sa.select(Account).filter(
            accounts.c.firm_id == firm_id, accounts.c.external_id.in_(list(external_ids))
        )
        return list(self._s.scalars(query))

    def by_ids(self, account_ids: Sequence[int], *, for_update: bool = False) -> list[Account]:
        """These accounts, in no particular order; unknown ids are left out. `for_update`
        locks their rows until the transaction ends, taken in id order so that two
        transactions locking overlapping sets cannot deadlock."""
        if not account_ids:
            return []
        query = sa.select(Account).filter(accounts.c.id.in_(account_ids))
        if for_update:
            query = (
                query.order_by(accounts.c.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        return list(self._s.scalars(query))

    def linked_to(self, firm_id: int, customer_id: str) -> list[Account]:
        """The firm's accounts whose link points at this QBO customer."""
        query = sa.select(Account).filter_by(firm_id=firm_id, qbo_customer_id=customer_id)
        return list(self._s.scalars(query.order_by(Account.id)))  # type: ignore[arg-type]

    def count_by_status(self, firm_id: int) -> dict[SyncStatus, int]:
        """How many of the firm's accounts have each status (those it has any of)."""
        return dict(account_counts.counts_of(self._s, firm_id))

    def recount(self, firm_id: int) -> None:
        """Count the firm's accounts of each status afresh (after a bulk load around this
        repository); the caller commits."""
        account_counts.recount(self._s, firm_id)

    def list(
        self,
        firm_id: int,
        *,
        status: SyncStatus | None,
        offset: int,
        limit: int,
        with_activity: bool = False,
        name_contains: str | None = None,
    ) -> tuple[Sequence[Account], int]:
        """A page of the firm's accounts by id, and how many match in all.

        `name_contains` matches anywhere in the name, in any case, its `%`, `_` and `\\`
        taken literally (the pattern escapes with `/`, which any string setting reads alike).
        """
        where = [accounts.c.firm_id == firm_id]
        if status is not None:
            where.append(accounts.c.status == status)
        if name_contains is not None:
            literal = name_contains.replace("/", "//").replace("%", "/%").replace("_", "/_")
            # Both sides folded by the database's lower(): the expression of the trigram index.
            pattern = sa.func.lower(f"%{literal}%")
            where.append(sa.func.lower(accounts.c.name).like(pattern, escape="/"))
        if with_activity:  # invoices or payments: a payment always belongs to an invoice
            where.append(
                sa.exists().where(
                    invoices.c.account_id == accounts.c.id, invoices.c.deleted_at.is_(None)
                )
            )
        if name_contains is None and not with_activity:  # kept counts answer: no count(*)
            counts = account_counts.counts_of(self._s, firm_id)
            total = counts.get(status, 0) if status is not None else sum(counts.values())
        else:
            counted = sa.select(sa.func.count()).select_from(accounts).where(*where)
            total = self._s.scalar(counted) or 0
        if offset >= total:
            return [], total
        # The page's ids first, then their rows: the offset skips index entries (an index-only
        # scan on PostgreSQL), not rows; and it skips them from the nearer end, the count
        # telling which, so that no page walks past more than half of the matches.
        ids = sa.select(accounts.c.id).where(*where)
        after = max(total - offset - limit, 0)  # matches after the page
        if after < offset:
            ids = ids.order_by(accounts.c.id.desc()).offset(after)
            ids = ids.limit(min(limit, total - offset))
        else:
            ids = ids.order_by(accounts.c.id).offset(offset).limit(limit)
        on_page = ids.subquery()
        query = sa.select(Account).join(on_page, accounts.c.id == on_page.c.id)
        return self._s.scalars(query.order_by(accounts.c.id)).all(), total

    def external_ids(self, account_ids: Sequence[int]) -> dict[int, str]:
        """The firm's own ids of these accounts, by our id (for showing records that name them)."""
        return _external_ids(self._s, accounts, account_ids)


class SqlJobs:
    """Jobs; every write after the claim carries `lease_owner = :me` (design/jobs.md §2)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, job: Job) -> None:
        self._s.add(job)

    def get(self, firm_id: int, job_id: str) -> Job | None:
        return self._s.scalars(sa.select(Job).filter_by(firm_id=firm_id, id=job_id)).first()

    def active_for(self, target_type: str, target_id: int) -> Job | None:
        query = sa.select(Job).filter(
            jobs.c.target_type == target_type,
            jobs.c.target_id == target_id,
            jobs.c.state.in_(ACTIVE_STATES),
        )
        return self._s.scalars(query).first()

    def active_for_targets(self, target_type: str, target_ids: Sequence[int]) -> dict[int, Job]:
        """The queued or running job of each of these records that has one, by record id."""
        if not target_ids:
            return {}
        query = sa.select(Job).filter(
            jobs.c.target_type == target_type,
            jobs.c.target_id.in_(list(target_ids)),
            jobs.c.state.in_(ACTIVE_STATES),
        )
        return {job.target_id: job for job in self._s.scalars(query)}

    def claim(self, job_id: str, owner: str, now: datetime) -> Job | None:
        claimed = self._update(
            sa.and_(jobs.c.id == job_id, _claimable(now)), **self._claimed(owner, now)
        )
        if not claimed:
            return None
        return self._s.scalars(
            sa.select(Job).filter_by(id=job_id).execution_options(populate_existing=True)
        ).one()

    def claim_lane(
        self, firm_id: int, lane: Lane, owner: str, now: datetime, limit: int
    ) -> list[Job]:
        """Claim up to `limit` of the firm's due jobs of `lane`, oldest first: queued ones, and
        those a dead run held (their lease ran out).

        Where the database can, rows another worker is claiming are passed over, not waited
        for (PostgreSQL's SKIP LOCKED; SQLite has one writer at a time), so runs share a
        backlog out instead of racing for its first rows.
        """
        due = (
            sa.select(jobs.c.id)
            .where(jobs.c.firm_id == firm_id, jobs.c.lane == lane, _claimable(now))
            .order_by(jobs.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        job_ids = list(self._s.scalars(due))
        if not job_ids:
            return []
        self._s.execute(
            sa.update(jobs)
            .where(jobs.c.id.in_(job_ids), _claimable(now))
            .values(**self._claimed(owner, now)),
            execution_options={"synchronize_session": False},
        )
        claimed = sa.select(Job).filter(jobs.c.id.in_(job_ids), jobs.c.lease_owner == owner)
        found = self._s.scalars(claimed.execution_options(populate_existing=True))
        by_id = {job.id: job for job in found}
        return [by_id[job_id] for job_id in job_ids if job_id in by_id]

    def release(self, job_ids: Sequence[str], owner: str, now: datetime) -> int:
        """Give claimed jobs back untried: queued again, the claim's attempt not counted,
        and not sent: no message names them any more. The relay sends them at its next
        sweep unless a lane's hand-on is marked sent first (`mark_lane_published`). (Marked
        sent here, a payment batch's members given back waited the relay's five minutes,
        and so did a lane whose hand-on the broker refused: found by qbsync bench chaos.)"""
        result = self._s.execute(
            sa.update(jobs)
            .where(*_held_by(job_ids, owner))
            .values(
                state=JobState.QUEUED,
                lease_owner=None,
                lease_until=None,
                attempts=jobs.c.attempts - 1,
                published_at=None,
                updated_at=now,
            ),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def complete_many(self, job_ids: Sequence[str], owner: str, now: datetime) -> set[str]:
        """Mark succeeded those of these jobs this worker still holds; their ids."""
        if not job_ids:
            return set()
        result = self._s.execute(
            sa.update(jobs)
            .where(*_held_by(job_ids, owner))
            .values(
                state=JobState.SUCCEEDED,
                lease_owner=None,
                lease_until=None,
                finished_at=now,
                last_error=None,
                updated_at=now,
            )
            .returning(jobs.c.id),
            execution_options={"synchronize_session": False},
        )
        return set(result.scalars())

    def lane_of(self, job_id: str) -> tuple[int, Lane] | None:
        """The firm and lane of a job, or None for a job of no lane."""
        row = self._s.execute(
            sa.select(jobs.c.firm_id, jobs.c.lane).where(jobs.c.id == job_id)
        ).first()
        if row is None or row.lane is None:
            return None
        return row.firm_id, Lane(row.lane)

    def lane_runs(self, firm_id: int, lane: Lane, now: datetime) -> int:
        """How many runs hold live claims on the firm's jobs of `lane` (one lease owner each)."""
        query = sa.select(sa.func.count(sa.distinct(jobs.c.lease_owner))).where(
            jobs.c.firm_id == firm_id,
            jobs.c.lane == lane,
            jobs.c.state == JobState.RUNNING,
            jobs.c.lease_until >= now,
        )
        return self._s.scalar(query) or 0

    def next_in_lane(self, firm_id: int, lane: Lane, now: datetime) -> Job | None:
        """The firm's oldest due job of `lane` (queued, or held by a dead run), if any."""
        query = (
            sa.select(Job)
            .filter(jobs.c.firm_id == firm_id, jobs.c.lane == lane, _claimable(now))
            .order_by(jobs.c.created_at)
            .limit(1)
        )
        return self._s.scalars(query).first()

    @staticmethod
    def _claimed(owner: str, now: datetime) -> dict[str, Any]:
        return {
            "state": JobState.RUNNING,
            "lease_owner": owner,
            "lease_until": now + LEASE,
            "attempts": jobs.c.attempts + 1,
            # The claim consumed the message: if this worker dies, the relay sends a new one
            # as soon as the lease runs out.
            "published_at": None,
            "started_at": sa.func.coalesce(jobs.c.started_at, now),
            "updated_at": now,
        }

    def renew_owned_leases(
        self, owners: Sequence[str], now: datetime, written_since: datetime
    ) -> int:
        """Extend the leases of the running jobs claimed under these owners (the claims of
        one worker process's messages at work) whose rows were written since `written_since`;
        how many. `updated_at` is left alone, so a job that stops writing stops being renewed."""
        if not owners:
            return 0
        result = self._s.execute(
            sa.update(jobs)
            .where(
                jobs.c.state == JobState.RUNNING,
                jobs.c.lease_owner.in_(list(owners)),
                jobs.c.updated_at >= written_since,
            )
            .values(lease_until=now + LEASE),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def end_owned_leases(
        self, owners: Sequence[str], now: datetime, *, interrupted: bool = False
    ) -> int:
        """End now the leases of the running jobs claimed under these owners (their messages
        ended without settling them): another worker may take them over at once; how many.
        `interrupted`: a worker's stop cut them short, and the attempt is not counted."""
        if not owners:
            return 0
        counted = {"interruptions": jobs.c.interruptions + 1} if interrupted else {}
        result = self._s.execute(
            sa.update(jobs)
            .where(jobs.c.state == JobState.RUNNING, jobs.c.lease_owner.in_(list(owners)))
            .values(lease_until=now, **counted),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def renew_leases(self, job_ids: Sequence[str], owner: str, now: datetime) -> int:
        """Extend the leases this worker still holds on these jobs; how many it held."""
        result = self._s.execute(
            sa.update(jobs)
            .where(*_held_by(job_ids, owner))
            .values(lease_until=now + LEASE, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def complete(self, job_id: str, owner: str, now: datetime) -> bool:
        return self._fenced(
            job_id,
            owner,
            state=JobState.SUCCEEDED,
            finished_at=now,
            last_error=None,
            updated_at=now,
        )

    def fail(self, job_id: str, owner: str, now: datetime, error: dict[str, object]) -> bool:
        return self._fenced(
            job_id, owner, state=JobState.FAILED, finished_at=now, last_error=error, updated_at=now
        )

    def retry_later(
        self,
        job_id: str,
        owner: str,
        now: datetime,
        at: datetime,
        error: dict[str, object],
        *,
        counted: bool = True,
    ) -> bool:
        """Back to the queue until `at`; `counted=False` gives the claim's attempt back (the
        run was paced, it did not fail)."""
        return self._fenced(
            job_id,
            owner,
            **({} if counted else {"attempts": jobs.c.attempts - 1}),
            state=JobState.QUEUED,
            next_attempt_at=at,
            published_at=None,
            last_error=error,
            updated_at=now,
        )

    def due_for_relay(self, now: datetime, republish_before: datetime, limit: int) -> list[Job]:
        """Jobs due and not in the queue, but queued jobs of a lane (see `lanes_due_for_relay`)."""
        not_in_queue = sa.or_(jobs.c.published_at.is_(None), jobs.c.published_at < republish_before)
        due = sa.or_(
            sa.and_(jobs.c.state == JobState.QUEUED, jobs.c.lane.is_(None), _due(now)),
            # Its worker died holding it: the claim lets the next run take it over. (A lane's
            # such jobs go with its lane: see `lanes_due_for_relay`.)
            sa.and_(jobs.c.lane.is_(None), _expired(now)),
        )
        # A dead run's jobs first: a backlog of queued ones (a bulk sync's) must not push a
        # takeover past the sweep's limit.
        query = (
            sa.select(Job)
            .filter(due, not_in_queue)
            .order_by(_dead_runs_first(), jobs.c.created_at)
            .limit(limit)
        )
        return list(self._s.scalars(query))

    def lanes_due_for_relay(self, now: datetime, republish_before: datetime) -> list[Job]:
        """For each firm's lane holding due jobs not in the queue, its oldest due job: one
        message for a lane takes its backlog along."""
        stale = _stale_in_lane(now, republish_before)
        lanes = self._s.execute(sa.select(jobs.c.firm_id, jobs.c.lane).where(stale).distinct())
        heads = [self.next_in_lane(firm_id, Lane(lane), now) for firm_id, lane in lanes.all()]
        return [head for head in heads if head is not None]

    def mark_lane_published(
        self, firm_id: int, lane: Lane, now: datetime, republish_before: datetime
    ) -> None:
        """The lane's due jobs are in the queue's care: its message went."""
        self._s.execute(
            sa.update(jobs)
            .where(
                jobs.c.firm_id == firm_id,
                jobs.c.lane == lane,
                _stale_in_lane(now, republish_before),
            )
            .values(published_at=now),
            execution_options={"synchronize_session": False},
        )

    def mark_published(self, job_id: str, now: datetime) -> None:
        """The job's message went. Only a job still waiting for it is marked: queued, or
        held by a dead run and not yet taken over (its lease still ran out at `now`). One a
        worker claimed before this ran is in that worker's hands, and marking it would keep
        the relay from sending it again for REPUBLISH_AFTER if that worker dies. (Unmarked, a
        dead run's jobs were sent again at every sweep until one was claimed: under bench
        chaos, 500 messages each five seconds that buried the takeovers they asked for.)"""
        waiting = sa.or_(jobs.c.state == JobState.QUEUED, _expired(now))
        self._update(sa.and_(jobs.c.id == job_id, waiting), published_at=now)

    def _fenced(self, job_id: str, owner: str, **values: Any) -> bool:
        return self._update(
            sa.and_(
                jobs.c.id == job_id,
                jobs.c.state == JobState.RUNNING,
                jobs.c.lease_owner == owner,
            ),
            lease_owner=None,
            lease_until=None,
            **values,
        )

    def _update(self, where: sa.ColumnElement[bool], **values: Any) -> bool:
        result = self._s.execute(
            sa.update(jobs).where(where).values(**values),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(jobs.c.next_attempt_at.is_(None), jobs.c.next_attempt_at <= now)


def _expired(now: datetime) -> sa.ColumnElement[bool]:
    """Claimed by a worker that stopped renewing its lease: it died."""
    return sa.and_(jobs.c.state == JobState.RUNNING, jobs.c.lease_until < now)


def _dead_runs_first() -> sa.ColumnElement[int]:
    """An ordering that puts jobs a dead run holds (the claimable RUNNING ones) first."""
    return sa.case((jobs.c.state == JobState.RUNNING, 0), else_=1)


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    """A job a run may claim: queued and due, or held by a run that died. In a lane, a dead
    run's jobs are taken over like queued ones, or they would wait for a message naming
    each of them, which a lane busy with other runs leaves to those runs (found by qbsync
    bench chaos: 55 syncs Syncing for the relay's five minutes)."""
    return sa.or_(sa.and_(jobs.c.state == JobState.QUEUED, _due(now)), _expired(now))


def _stale_in_lane(now: datetime, republish_before: datetime) -> sa.ColumnElement[bool]:
    """Due jobs of a lane (see `_claimable`) that no message has stood for lately."""
    return sa.and_(
        jobs.c.lane.is_not(None),
        _claimable(now),
        sa.or_(jobs.c.published_at.is_(None), jobs.c.published_at < republish_before),
    )


class SqlHistory:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, change: StatusChange) -> None:
        """Keep the change, to be written with the session's next flush or commit."""
        self._s.info.setdefault(_PENDING_HISTORY, []).append(change)
        if change.record_type == "account":  # an account moved: the firm's counts move too
            account_counts.note(self._s, change.firm_id, change.from_status, -1)
            account_counts.note(self._s, change.firm_id, change.to_status, +1)

    def for_record(self, record_type: str, record_id: int) -> list[StatusChange]:
        write_pending_history(self._s)
        query = (
            sa.select(StatusChange)
            .filter_by(record_type=record_type, record_id=record_id)
            .order_by(StatusChange.id)  # type: ignore[arg-type]
        )
        return list(self._s.scalars(query))


_PENDING_HISTORY = "pending_status_changes"
_HISTORY_COLUMNS = [c.name for c in status_changes.columns if c.name != "id"]


def write_pending_history(session: Session) -> None:
    """Write the status changes the session was given, in the order given, in one
    executemany (a short statement, not one a row that returns their ids: no caller reads
    the id of a change it records, and readers load them)."""
    pending: list[StatusChange] = session.info.pop(_PENDING_HISTORY, [])
    if pending:
        rows = [{name: getattr(change, name) for name in _HISTORY_COLUMNS} for change in pending]
        session.execute(sa.insert(status_changes), rows)


class SqlSettings:
    def __init__(self, session: Session) -> None:
        self._s = session

    def for_firm(self, firm_id: int) -> FirmSettings:
        """The firm's settings; defaults (not yet stored) for a firm that never changed them."""
        return self._s.get(FirmSettings, firm_id) or FirmSettings(firm_id=firm_id)

    def save(self, settings: FirmSettings) -> None:
        self._s.merge(settings)


class SqlMerges:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, merge: CustomerMerge) -> None:
        """Record a merge; one reported twice is kept once (the unique key decides)."""
        if self.survivor_of(merge.realm_id, merge.merged_id) is None:
            self._s.add(merge)

    def survivor_of(self, realm_id: str, merged_id: str) -> str | None:
        query = sa.select(CustomerMerge).filter_by(realm_id=realm_id, merged_id=merged_id)
        merge = self._s.scalars(query).first()
        return None if merge is None else merge.survivor_id

    def survivors_of(self, realm_id: str, merged_ids: Sequence[str]) -> dict[str, str]:
        """The customers these were merged into, for those QBO reported merged."""
        if not merged_ids:
            return {}
        query = sa.select(customer_merges.c.merged_id, customer_merges.c.survivor_id).where(
            customer_merges.c.realm_id == realm_id,
            customer_merges.c.merged_id.in_(list(merged_ids)),
        )
        return {merged: survivor for merged, survivor in self._s.execute(query)}


class SqlInvoices:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, invoice: Invoice) -> None:
        self._s.add(invoice)

    def get(self, firm_id: int, external_id: str, *, for_update: bool = False) -> Invoice | None:
        """The firm's invoice; `for_update` locks its row until the transaction ends."""
        query = sa.select(Invoice).filter_by(firm_id=firm_id, external_id=external_id)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self._s.scalars(query).first()

    def get_by_id(self, invoice_id: int) -> Invoice | None:
        return self._s.get(Invoice, invoice_id)

    def for_account(self, account_id: int) -> list[Invoice]:
        """The account's invoices, deleted ones too, oldest first."""
        query = sa.select(Invoice).filter_by(account_id=account_id).order_by(invoices.c.id)
        return list(self._s.scalars(query))

    def for_accounts(self, account_ids: Sequence[int]) -> dict[int, list[Invoice]]:
        """The invoices of each of these accounts (deleted ones too, oldest first), by account."""
        found: dict[int, list[Invoice]] = {account_id: [] for account_id in account_ids}
        if not account_ids:
            return found
        query = (
            sa.select(Invoice)
            .filter(invoices.c.account_id.in_(list(account_ids)))
            .order_by(invoices.c.id)
        )
        for invoice in self._s.scalars(query):
            found[invoice.account_id].append(invoice)
        return found

    def list(
        self,
        firm_id: int,
        *,
        status: SyncStatus | None,
        account_id: int | None,
        issued_from: date | None,
        issued_to: date | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Invoice], int]:
        query = sa.select(Invoice).filter(
            invoices.c.firm_id == firm_id, invoices.c.deleted_at.is_(None)
        )
        if status is not None:
            query = query.filter(invoices.c.status == status)
        if account_id is not None:
            query = query.filter(invoices.c.account_id == account_id)
        if issued_from is not None:
            query = query.filter(invoices.c.issued_on >= issued_from)
        if issued_to is not None:
            query = query.filter(invoices.c.issued_on <= issued_to)
        return _page(self._s, query, invoices.c.id, offset, limit)

    def count_by_status(self, firm_id: int) -> dict[SyncStatus, int]:
        return _count_by_status(self._s, invoices, firm_id)

    def batchable_push_jobs(
        self, firm_id: int, exclude_job_id: str, now: datetime, limit: int
    ) -> Sequence[str]:
        """Push jobs of the firm's numbered invoices that QBO does not hold yet, queued and
        due or held by a dead run: creates one batch request can carry together, the dead
        runs' first, then the oldest. (Left to a message each, a killed worker's thirty
        members waited for thirty batches, each with twenty-nine new creates: bench chaos
        measured up to 142 s before a SIGTERMed worker's jobs were taken over. A dead run's
        member is looked up by its number before it is created again: see run_batch.)"""
        query = (
            sa.select(jobs.c.id)
            .join(invoices, invoices.c.id == jobs.c.target_id)
            .where(
                jobs.c.firm_id == firm_id,
                jobs.c.target_type == "invoice",
                jobs.c.kind == JobKind.PUSH_INVOICE,
                _claimable(now),
                jobs.c.id != exclude_job_id,
                invoices.c.qbo_id.is_(None),
                invoices.c.number.is_not(None),
                invoices.c.deleted_at.is_(None),
            )
            .order_by(_dead_runs_first(), jobs.c.created_at)
            .limit(limit)
        )
        return list(self._s.scalars(query))

    def external_ids(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        """The firm's own ids of these invoices, by our id."""
        return _external_ids(self._s, invoices, invoice_ids)


class SqlPayments:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, payment: Payment) -> None:
        self._s.add(payment)

    def get(self, firm_id: int, external_id: str) -> Payment | None:
        query = sa.select(Payment).filter_by(firm_id=firm_id, external_id=external_id)
        return self._s.scalars(query).first()

    def get_by_id(self, payment_id: int) -> Payment | None:
        return self._s.get(Payment, payment_id)

    def for_invoice(self, invoice_id: int) -> list[Payment]:
        """The invoice's payments, deleted ones too, oldest first."""
        query = sa.select(Payment).filter_by(invoice_id=invoice_id).order_by(payments.c.id)
        return list(self._s.scalars(query))

    def list(
        self,
        firm_id: int,
        *,
        status: SyncStatus | None,
        invoice_id: int | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Payment], int]:
        query = sa.select(Payment).filter(
            payments.c.firm_id == firm_id, payments.c.deleted_at.is_(None)
        )
        if status is not None:
            query = query.filter(payments.c.status == status)
        if invoice_id is not None:
            query = query.filter(payments.c.invoice_id == invoice_id)
        return _page(self._s, query, payments.c.id, offset, limit)

    def count_by_status(self, firm_id: int) -> dict[SyncStatus, int]:
        return _count_by_status(self._s, payments, firm_id)

    def external_ids(self, payment_ids: Sequence[int]) -> dict[int, str]:
        """The firm's own ids of these payments, by our id."""
        return _external_ids(self._s, payments, payment_ids)

    def batchable_push_jobs(
        self, firm_id: int, exclude_job_id: str, now: datetime, limit: int
    ) -> Sequence[str]:
        """Queued, due push jobs of the firm's payments that QBO does not hold yet, of
        invoices it does: creates one batch request can carry together, oldest first."""
        query = (
            sa.select(jobs.c.id)
            .join(payments, payments.c.id == jobs.c.target_id)
            .join(invoices, invoices.c.id == payments.c.invoice_id)
            .where(
                jobs.c.firm_id == firm_id,
                jobs.c.target_type == "payment",
                jobs.c.kind == JobKind.PUSH_PAYMENT,
                jobs.c.state == JobState.QUEUED,
                _due(now),
                jobs.c.id != exclude_job_id,
                jobs.c.attempts == 0,
                payments.c.qbo_id.is_(None),
                payments.c.deleted_at.is_(None),
                invoices.c.qbo_id.is_not(None),
            )
            .order_by(jobs.c.created_at)
            .limit(limit)
        )
        return list(self._s.scalars(query))

    def live_external_ids_by_invoice(
        self, invoice_ids: Sequence[int]
    ) -> Mapping[int, Sequence[str]]:
        """The firm's own ids of these invoices' payments (deleted ones left out), oldest first."""
        found: dict[int, list[str]] = {invoice_id: [] for invoice_id in invoice_ids}
        query = (
            sa.select(payments.c.invoice_id, payments.c.external_id)
            .where(payments.c.invoice_id.in_(list(invoice_ids)), payments.c.deleted_at.is_(None))
            .order_by(payments.c.id)
        )
        for invoice_id, external_id in self._s.execute(query):
            found[invoice_id].append(external_id)
        return found


class SqlSends:
    """Writes to QBO recorded before they are sent, found again by the jobs they serve."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, send: QboSend) -> None:
        """Record the send, and that it is the latest of each of its jobs."""
        items = [{"job_id": i.job_id, "bid": i.bid, "draft": i.draft} for i in send.items]
        self._s.execute(
            sa.insert(qbo_sends).values(
                id=send.id,
                firm_id=send.firm_id,
                entity=send.entity,
                request_id=send.request_id,
                batch=send.batch,
                items=items,
                created_at=send.created_at,
            )
        )
        self._s.execute(
            sa.update(jobs)
            .where(jobs.c.id.in_([item.job_id for item in send.items]))
            .values(send_id=send.id),
            execution_options={"synchronize_session": False},
        )

    def unanswered_for(self, job_ids: Sequence[str]) -> list[QboSend]:
        """The sends not answered yet that are the latest of any of these jobs, oldest first."""
        if not job_ids:
            return []
        latest = sa.select(jobs.c.send_id).where(jobs.c.id.in_(list(job_ids)))
        rows = self._s.execute(
            sa.select(qbo_sends)
            .where(qbo_sends.c.id.in_(latest), qbo_sends.c.finished_at.is_(None))
            .order_by(qbo_sends.c.created_at)
        ).all()
        return [
            QboSend(
                id=row.id,
                firm_id=row.firm_id,
                entity=row.entity,
                request_id=row.request_id,
                batch=row.batch,
                created_at=row.created_at,
                items=tuple(SendItem(i["job_id"], i["bid"], i["draft"]) for i in row.items),
            )
            for row in rows
        ]

    def answered(self, send_id: str, now: datetime) -> None:
        """The send's answer is stored: it is never sent again."""
        self._s.execute(
            sa.update(qbo_sends).where(qbo_sends.c.id == send_id).values(finished_at=now)
        )

    def discard(self, send_id: str) -> None:
        """Forget a send that never left (its gate refused it before it went)."""
        self._s.execute(
            sa.update(jobs).where(jobs.c.send_id == send_id).values(send_id=None),
            execution_options={"synchronize_session": False},
        )
        self._s.execute(sa.delete(qbo_sends).where(qbo_sends.c.id == send_id))


class SqlStatusEvents:
    """Status-event subscriptions, and the status changes they have still to deliver."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, subscription: StatusEventSubscription) -> None:
        self._s.add(subscription)

    def remove(self, subscription: StatusEventSubscription) -> None:
        self._s.delete(subscription)

    def for_firm(self, firm_id: int) -> StatusEventSubscription | None:
        return self._s.get(StatusEventSubscription, firm_id)

    def all(self) -> list[StatusEventSubscription]:
        query = sa.select(StatusEventSubscription).order_by(status_event_subscriptions.c.firm_id)
        return list(self._s.scalars(query))

    def last_change_id(self, firm_id: int) -> int:
        """The id of the firm's latest status change; 0 if it has none."""
        write_pending_history(self._s)
        query = sa.select(sa.func.max(status_changes.c.id)).where(
            status_changes.c.firm_id == firm_id
        )
        return self._s.scalar(query) or 0

    def pending(self, firm_id: int, after: int, limit: int) -> list[StatusChange]:
        """The firm's status changes after id `after`, oldest first, with no gap still to fill.

        Empty while a transaction writing status changes takes too long to commit: the next
        delivery reads again.
        """
        write_pending_history(self._s)
        if not self._settled():
            return []
        query = (
            sa.select(StatusChange)
            .filter(status_changes.c.firm_id == firm_id, status_changes.c.id > after)
            .order_by(status_changes.c.id)
            .limit(limit)
        )
        return list(self._s.scalars(query))

    def due(self, now: datetime, firm_id: int | None = None) -> list[StatusEventSubscription]:
        """The subscriptions (or the firm's) with changes to deliver and no backoff to wait out."""
        write_pending_history(self._s)
        subscriptions = status_event_subscriptions
        waiting = sa.exists().where(
            status_changes.c.firm_id == subscriptions.c.firm_id,
            status_changes.c.id > subscriptions.c.delivered_through,
        )
        query = (
            sa.select(StatusEventSubscription)
            .filter(
                sa.or_(
                    subscriptions.c.next_attempt_at.is_(None),
                    subscriptions.c.next_attempt_at <= now,
                ),
                waiting,
            )
            .order_by(subscriptions.c.firm_id)
        )
        if firm_id is not None:
            query = query.filter(subscriptions.c.firm_id == firm_id)
        return list(self._s.scalars(query))

    def _settled(self) -> bool:
        """Whether every numbered status change is committed, and none is numbered until this
        transaction ends.

        PostgreSQL numbers a row when it is inserted, not when it commits: a change with a lower
        id can become visible after a higher one was read, and a mark moved past the higher one
        would skip it for good. A SHARE lock on the table waits for the transactions that
        inserted into it to commit, and holds new inserts back until this transaction ends
        (which the caller keeps short). SQLite runs one writer at a time: its ids commit in order.
        """
        if self._s.get_bind().dialect.name != "postgresql":
            return True
        try:
            with self._s.begin_nested():
                self._s.execute(sa.text(f"SET LOCAL lock_timeout = '{SETTLE_WAIT}'"))
                self._s.execute(sa.text("LOCK TABLE status_changes IN SHARE MODE"))
        except sa.exc.OperationalError:
            return False
        return True


def _page(
    session: Session, query: Any, order: sa.ColumnElement[Any], offset: int, limit: int
) -> tuple[Sequence[Any], int]:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    return session.scalars(query.order_by(order).offset(offset).limit(limit)).all(), total


def _count_by_status(session: Session, table: sa.Table, firm_id: int) -> dict[SyncStatus, int]:
    query = (
        sa.select(table.c.status, sa.func.count())
        .where(table.c.firm_id == firm_id, table.c.deleted_at.is_(None))
        .group_by(table.c.status)
    )
    return {SyncStatus(status): count for status, count in session.execute(query)}


def _external_ids(session: Session, table: sa.Table, ids: Sequence[int]) -> dict[int, str]:
    query = sa.select(table.c.id, table.c.external_id).where(table.c.id.in_(list(ids)))
    return {row_id: external_id for row_id, external_id in session.execute(query)}


def _held_by(job_ids: Sequence[str], owner: str) -> tuple[sa.ColumnElement[bool], ...]:
    """The running jobs among `job_ids` whose lease `owner` holds: what a lease-fenced write
    of many jobs may touch."""
    return (
        jobs.c.id.in_(list(job_ids)),
        jobs.c.state == JobState.RUNNING,
        jobs.c.lease_owner == owner,
    )
