"""Each firm's number of accounts of each status, kept in step by the unit of work.

An account changes status only through `move_to`, whose change goes into the history, and
is created through the accounts repository: those two note a change of the counts in the
session, and the unit of work adds them up in the transaction that commits them. A status
has a few rows (shards) a firm: a transaction adds to one of them, picked at random, so
that the worker threads settling one firm's accounts at once seldom queue for one row's
lock; a count is the sum of its shards. The rows are written in one statement in key order,
so two transactions never lock them in opposite orders.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.adapters.db.tables import account_counts, accounts
from core.domain.status import SyncStatus

_PENDING = "account_count_changes"
SHARDS = 8
Key = tuple[int, SyncStatus]


def note(session: Session, firm_id: int, status: SyncStatus, change: int) -> None:
    """One more (or fewer) account of the firm has `status` once the session commits."""
    pending: Counter[Key] = session.info.setdefault(_PENDING, Counter())
    pending[(firm_id, status)] += change


def write_pending(session: Session) -> None:
    """Add what the session noted to the counts, in its transaction; call before commit."""
    pending: Counter[Key] = session.info.pop(_PENDING, Counter())
    shard = random.randrange(SHARDS)
    rows = [
        {"firm_id": firm_id, "status": status, "shard": shard, "count": change}
        for (firm_id, status), change in sorted(pending.items())
        if change
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(account_counts).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                account_counts.c.firm_id,
                account_counts.c.status,
                account_counts.c.shard,
            ],
            set_={"count": account_counts.c.count + statement.excluded["count"]},
        )
    )


def counts_of(session: Session, firm_id: int) -> Mapping[SyncStatus, int]:
    """The firm's accounts of each status that has any."""
    query = (
        sa.select(account_counts.c.status, sa.func.sum(account_counts.c.count))
        .where(account_counts.c.firm_id == firm_id)
        .group_by(account_counts.c.status)
    )
    return {SyncStatus(status): int(n) for status, n in session.execute(query) if n}


def recount(session: Session, firm_id: int) -> None:
    """Count the firm's accounts afresh: after accounts were written around the repository
    (a bulk load)."""
    session.execute(sa.delete(account_counts).where(account_counts.c.firm_id == firm_id))
    counted = (
        sa.select(accounts.c.firm_id, accounts.c.status, sa.literal(0), sa.func.count())
        .where(accounts.c.firm_id == firm_id)
        .group_by(accounts.c.firm_id, accounts.c.status)
    )
    columns = ["firm_id", "status", "shard", "count"]
    session.execute(sa.insert(account_counts).from_select(columns, counted))
