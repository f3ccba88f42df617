"""Jobs: one unit of queued work, its life cycle and its retry policy.

SQL is the source of truth (design/jobs.md §1): a Dramatiq message only says "run job X".
A job is claimed with compare-and-set, runs under a lease, and every later write is fenced
by the lease owner, so a message delivered twice runs the job's effects once.

    queued ──claim──▶ running ──▶ succeeded
      ▲                  │  └───▶ failed       (permanent fault, or out of attempts)
      └──── transient ───┘                     (waits in SQL until next_attempt_at)
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class JobKind(StrEnum):
    """What a job does; the value is also the name of the Dramatiq actor that runs it."""

    SYNC_ACCOUNT = "sync_account"
    # Is a Synced account's QBO customer still there and active? (SPEC §2.6)
    CHECK_CUSTOMER_LINK = "check_customer_link"
    # Read one connection's changed customers through change data capture (SPEC §4).
    POLL_QBO_CHANGES = "poll_qbo_changes"
    # Bring an invoice's or a payment's QBO copy up to date: create, update or delete (SPEC §3).
    PUSH_INVOICE = "push_invoice"
    PUSH_PAYMENT = "push_payment"
    # POST a firm's next status changes to its own system (core.domain.status_events).
    DELIVER_STATUS_EVENTS = "deliver_status_events"


class Lane(StrEnum):
    """A firm's queue of jobs that one run takes many of at once (design/jobs.md §7)."""

    # Syncs that link by display name: no customer chosen, none to be made regardless.
    SYNC_BY_NAME = "sync_by_name"


class JobState(StrEnum):
    """Where a job is in its life cycle."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})

# A job runs at most this many times, crashes included; then it ends in Failed (jobs.md §4).
# An attempt a worker's stop interrupted (Dramatiq's Shutdown, a PaaS stop) is not counted:
# the job did nothing wrong, and under bench chaos, which stops a worker every 20-40 s, a
# batch's thirty members each lost an attempt to every stop until some ended Failed with
# "Gave up after 8 attempts". A SIGKILL still counts: a job that kills its worker must end.
# Twelve, not five or eight: a SIGKILL counts, and under bench chaos (10 % of QBO calls
# faulted, a worker killed every 10-20 s) an invoice met four faults and four kills in six
# minutes and ended Failed although its create had reached QBO. With the backoff below,
# twelve attempts keep trying through about six minutes of QBO trouble.
MAX_ATTEMPTS = 12
# How long a claim holds without being renewed; a SIGKILLed worker's job is reclaimed after it.
# A live worker process renews the leases of every job it runs each LEASE_RENEWAL (worker
# leases), so a lease can be short whatever a job's length: a killed worker's jobs are free
# 20 s after its last renewal, and the relay or the message Dramatiq brings back after the
# worker's heartbeat timeout (also 20 s) runs them on another worker within a minute of the
# kill (issue 17). It was 60 s without renewals, which made that 65-75 s.
LEASE = timedelta(seconds=20)
# Four renewals a lease: three may be missed (a database blip, a busy process) before it lapses.
LEASE_RENEWAL = timedelta(seconds=5)
# A job whose row has not been written for this long is not renewed any more: a thread wedged
# in a call no timeout ends must not hold its record for as long as its process lives.
LEASE_RENEWAL_LIMIT = timedelta(minutes=2)
# Transient failures wait 1 s, 2 s, 4 s … (±25 %), never more than the cap. QBO's transient
# faults (a dropped connection, a 5xx) mostly clear at once, and its limits are kept by the
# gate and paced retries, not by this backoff: from 2 s, the chaos bench's slowest records
# were those that met four or five faults in a row and then waited 30-60 s for their turn.
BACKOFF_BASE = timedelta(seconds=1)
# Capped at a minute: QBO's limits open again each minute, and a longer wait only delays a
# record's convergence after a short outage.
BACKOFF_CAP = timedelta(minutes=1)

# The soonest a paced job comes back: a window that opens at once is no reason to spin.
PACED_RETRY_MIN = timedelta(milliseconds=500)


def new_job_id() -> str:
    """A fresh job id: unguessable, and short enough to build QBO request ids from."""
    return str(uuid.uuid4())


def retry_delay(
    attempts: int,
    rng: random.Random | None = None,
    *,
    base: timedelta = BACKOFF_BASE,
    cap: timedelta = BACKOFF_CAP,
) -> timedelta:
    """Jittered exponential backoff after `attempts` failed tries (1-based): base, twice that …"""
    rng = rng or random.Random()
    # Past any sensible cap long before 30 doublings; the bound keeps a huge count (a receiver
    # down for days) from overflowing timedelta.
    doublings = min(max(attempts - 1, 0), 30)
    delay: timedelta = min(base * 2**doublings, cap)
    return delay * rng.uniform(0.75, 1.25)


def paced_delay(retry_after_s: float | None, rng: random.Random | None = None) -> timedelta | None:
    """When a job that QBO's limits held back tries again: once the window our gate named has
    opened, a little later for some so that a batch's members do not all come back in the
    same instant, within [PACED_RETRY_MIN, BACKOFF_CAP]. None when no one named the time (a
    429 from QBO itself): then the usual backoff."""
    if retry_after_s is None:
        return None
    rng = rng or random.Random()
    delay = timedelta(seconds=retry_after_s * rng.uniform(1.0, 1.25))
    return min(max(delay, PACED_RETRY_MIN), BACKOFF_CAP)


def request_id(job_id: str, step: str) -> str:
    """The QBO `requestid` of one write step of a job: the same on every retry and redelivery."""
    rid = f"{uuid.UUID(job_id).hex}-{step}"
    if len(rid) > 50:  # QBO refuses longer ones with fault 6000
        raise ValueError(f"step name {step!r} makes the request id longer than 50 characters")
    return rid


@dataclass
class Job:
    """A unit of queued work for one record."""

    id: str
    firm_id: int
    kind: JobKind
    target_type: str
    target_id: int
    created_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    lane: Lane | None = None
    send_id: str | None = None  # its latest recorded write to QBO (core.domain.sends)
    state: JobState = JobState.QUEUED
    attempts: int = 0  # claims, every one: a retried create looks its lost copy up when > 1
    interruptions: int = 0  # of those, the ones a worker's stop interrupted
    lease_owner: str | None = None
    lease_until: datetime | None = None
    published_at: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: dict[str, Any] | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def counted_attempts(self) -> int:
        """The attempts that count towards MAX_ATTEMPTS: the claims no worker's stop cut short."""
        return self.attempts - self.interruptions
