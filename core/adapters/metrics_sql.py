"""Gauges read from SQL when /metrics is scraped: records per status, and the job queue.

The queue is read from the jobs table, not from Dramatiq's Redis lists: SQL is the source of
truth (design/jobs.md §1), a message may carry a whole lane (a bulk sync of 10,000 accounts
is six messages), retries wait in SQL rather than in Redis, and SQL still answers while
Redis is down. The queries scan only the active jobs (the index on state) and group the
records by status (accounts from their kept counts, a few rows a firm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core.adapters.db.tables import account_counts, invoices, jobs, payments
from core.domain.jobs import JobState

RECORD_TYPES = ("account", "invoice", "payment")
QUEUE_STATES = ("due", "scheduled", "running", "orphaned")


@dataclass(frozen=True)
class QueuedJobs:
    """Active jobs of one kind in one state; `oldest` is when the first of them became due."""

    kind: str
    state: str
    count: int
    oldest: datetime | None


def record_counts(connection: sa.Connection) -> dict[tuple[str, str], int]:
    """(record type, status) → how many; deleted invoices and payments are left out."""
    queries = {
        "account": sa.select(account_counts.c.status, sa.func.sum(account_counts.c.count))
        .group_by(account_counts.c.status),
        **{
            name: sa.select(table.c.status, sa.func.count())
            .where(table.c.deleted_at.is_(None))
            .group_by(table.c.status)
            for name, table in (("invoice", invoices), ("payment", payments))
        },
    }  # fmt: skip
    counts: dict[tuple[str, str], int] = {}
    for record_type, query in queries.items():
        for status, count in connection.execute(query):
            counts[(record_type, status.value)] = int(count or 0)
    return counts


def queued_jobs(connection: sa.Connection, now: datetime) -> list[QueuedJobs]:
    """Queued and running jobs by kind and state: due (waiting for a worker), scheduled
    (waiting for its retry time), running, orphaned (its worker stopped renewing the lease)."""
    running = jobs.c.state == JobState.RUNNING
    state = sa.case(
        (sa.and_(running, jobs.c.lease_until < now), "orphaned"),
        (running, "running"),
        (sa.or_(jobs.c.next_attempt_at.is_(None), jobs.c.next_attempt_at <= now), "due"),
        else_="scheduled",
    )
    query = (
        sa.select(
            jobs.c.kind,
            state,
            sa.func.count(),
            sa.func.min(sa.func.coalesce(jobs.c.next_attempt_at, jobs.c.created_at)),
        )
        .where(jobs.c.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .group_by(jobs.c.kind, state)
    )
    return [
        QueuedJobs(kind.value, state, count, oldest)
        for kind, state, count, oldest in connection.execute(query)
    ]
