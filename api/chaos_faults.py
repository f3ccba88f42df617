"""The chaos bench's fault schedule: QBO faults in the sandbox, worker kills every few seconds
(SIGKILL, or the PaaS way: SIGTERM and SIGKILL 30 s later), a Redis outage, one kill of the
API process, one expiry of the access token, and optionally a SIGKILL of every worker between
a batch request's writes and its answer. It times each kill to the settling of the jobs the
killed worker held (issue 17, done when 2: within 60 s)."""

from __future__ import annotations

import dataclasses
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from api.chaos_stack import WORKERS, RedisServer, Stack
from core.adapters.db.tables import jobs
from core.domain.jobs import JobState
from sandbox.state import SandboxState

PAAS_GRACE_S = 30.0  # SIGTERM, then SIGKILL this much later
TOKEN_LIFETIME_S = 3_600  # an access token's life at Intuit: moving the clock past it expires it
# How the fault rate is shared among the kinds of faults the sandbox injects.
FAULT_SHARES = {"fail_5xx": 0.3, "fail_429": 0.2, "fail_timeout": 0.1, "drop_before": 0.2,
                "drop_after": 0.2}  # fmt: skip


@dataclass(frozen=True)
class FaultPlan:
    fault_rate: float = 0.10
    kill_every_s: tuple[float, float] = (10.0, 20.0)
    redis_outage_s: float = 30.0
    redis_at_s: float = 40.0
    api_kill_at_s: float = 25.0
    token_expiry_at_s: float = 15.0
    kill_on_batch: bool = False  # SIGKILL every worker inside the first batch's answer
    seed: int = 17


@dataclass
class Kill:
    at: float  # monotonic
    worker: str
    how: str
    jobs: dict[str, str]  # the running jobs it held, and the owner named in each lease
    settled_after_s: float | None = None
    taken_over_after_s: float | None = None  # until no job runs under the dead owner

    def row(self, started: float) -> dict[str, object]:
        """What the report shows of it: when (seconds into the run), how, and the times."""
        return {
            "at_s": round(self.at - started, 1), "worker": self.worker, "how": self.how,
            "jobs": len(self.jobs), "taken_over_after_s": self.taken_over_after_s,
            "settled_after_s": self.settled_after_s,
        }  # fmt: skip


@dataclass
class FaultLog:
    kills: list[Kill] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


class Faults:
    """Runs a FaultPlan against a stack in a thread of its own until stopped."""

    def __init__(
        self, plan: FaultPlan, stack: Stack, redis: RedisServer, state: SandboxState,
        engine: sa.Engine, progress: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.plan, self._stack, self._redis, self._state = plan, stack, redis, state
        self._engine, self._progress = engine, progress
        self._random = random.Random(plan.seed)
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one kill or restart at a time
        self.log = FaultLog()
        self._threads: list[threading.Thread] = []
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        shares = {
            name: round(self.plan.fault_rate * share, 4) for name, share in FAULT_SHARES.items()
        }
        self._state.options = dataclasses.replace(self._state.options, **shares)  # type: ignore[arg-type]
        self._event(f"QBO faults on: {shares}")
        if self.plan.kill_on_batch:
            self._state.after_batch = self._kill_inside_batch
        for target in (self._kills, self._once_events, self._watch_settling):
            thread = threading.Thread(target=target, daemon=True, name=target.__name__)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """End the schedule; the system is left running, every process up."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=PAAS_GRACE_S + 30)
        self._state.after_batch = None

    def _event(self, what: str) -> None:
        line = f"{time.monotonic() - self._started:6.1f} s  {what}"
        self.log.events.append(line)
        self._progress(f"fault: {line}")

    def _kills(self) -> None:
        low, high = self.plan.kill_every_s
        n = 0
        while not self._stop.wait(self._random.uniform(low, high)):
            worker = WORKERS[n % len(WORKERS)]
            if n % 2 == 0:
                self._sigkill(worker, "SIGKILL")
            else:
                self._paas_stop(worker)
            n += 1

    def _sigkill(self, worker: str, how: str) -> None:
        with self._lock:
            held = self._held_jobs(worker)
            self._stack.kill(worker)
            self.log.kills.append(Kill(time.monotonic(), worker, how, held))
            self._stack.start(worker)
        self._event(f"{how} {worker} holding {len(held)} job(s); restarted")

    def _paas_stop(self, worker: str) -> None:
        with self._lock:
            held = self._held_jobs(worker)
            self._stack.signal(worker, signal.SIGTERM)
            at = time.monotonic()
        self._event(f"SIGTERM {worker} holding {len(held)} job(s)")
        exited = self._stack.wait_exit(worker, PAAS_GRACE_S)
        with self._lock:
            if not exited:
                self._stack.kill(worker)
            self.log.kills.append(Kill(at, worker, "SIGTERM+SIGKILL", held))
            self._stack.start(worker)
        self._event(f"{worker} {'exited' if exited else 'SIGKILLed after 30 s'}; restarted")

    def _kill_inside_batch(self, realm_id: str) -> None:
        """The sandbox calls this inside a batch request, after its writes: every worker dies
        before the answer reaches the one that sent it (once)."""
        self._state.after_batch = None
        for worker in WORKERS:
            self._sigkill(worker, "SIGKILL inside a batch answer")

    def _once_events(self) -> None:
        plan = self.plan
        events = sorted([
            (plan.token_expiry_at_s, self._expire_token),
            (plan.api_kill_at_s, self._kill_api),
            (plan.redis_at_s, self._redis_outage),
        ], key=lambda event: event[0])  # fmt: skip
        for at, run in events:
            if self._stop.wait(max(0.0, self._started + at - time.monotonic())):
                return
            run()

    def _expire_token(self) -> None:
        self._state.clock.advance(TOKEN_LIFETIME_S + 60)
        self._event("the access token expired (the sandbox's clock moved an hour on)")

    def _kill_api(self) -> None:
        with self._lock:
            self._stack.kill("web")
            self._event("SIGKILL web")
            self._stack.start("web")
        self._event("web restarted and healthy")

    def _redis_outage(self) -> None:
        self._redis.stop()
        self._event(f"Redis stopped for {self.plan.redis_outage_s:.0f} s")
        self._stop.wait(self.plan.redis_outage_s)
        self._redis.start()
        self._event("Redis restarted")

    def _held_jobs(self, worker: str) -> dict[str, str]:
        """The running jobs whose lease names one of the worker's processes, with that owner."""
        pids = self._stack.pids(worker)
        if not pids:
            return {}
        owners = [jobs.c.lease_owner.like(f"%:{pid}:%") for pid in pids]
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(jobs.c.id, jobs.c.lease_owner).where(
                    jobs.c.state == JobState.RUNNING, sa.or_(*owners)
                )
            )
            return {row.id: row.lease_owner for row in rows}

    def _watch_settling(self) -> None:
        """Note when every job a killed worker held has succeeded or failed for good."""
        while not self._stop.wait(0.5):
            self._note_settled()

    def _note_settled(self) -> None:
        waiting = [kill for kill in list(self.log.kills) if kill.settled_after_s is None]
        if not waiting:
            return
        ids = {job for kill in waiting for job in kill.jobs}
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(jobs.c.id, jobs.c.state, jobs.c.lease_owner).where(
                    jobs.c.id.in_(ids) if ids else sa.false(),
                    jobs.c.state.in_([JobState.QUEUED, JobState.RUNNING]),
                )
            ).all()
        open_jobs = {row.id for row in rows}
        dead_held = {row.id: row.lease_owner for row in rows if row.state is JobState.RUNNING}
        now = time.monotonic()
        for kill in waiting:
            still = [job for job, owner in kill.jobs.items() if dead_held.get(job) == owner]
            if kill.taken_over_after_s is None and not still:
                kill.taken_over_after_s = round(now - kill.at, 1)
            if not open_jobs.intersection(kill.jobs):
                kill.settled_after_s = round(now - kill.at, 1)

    def kill_rows(self) -> list[dict[str, object]]:
        """Every kill as the report shows it."""
        self._note_settled()
        return [kill.row(self._started) for kill in self.log.kills]

    def worst_taken_over_s(self) -> float | None:
        """The longest time from a kill until no job it interrupted ran under the dead
        worker's lease any more (another worker took it, or it went back to the queue)."""
        self._note_settled()
        times = [kill.taken_over_after_s for kill in self.log.kills if kill.jobs]
        if any(value is None for value in times):
            return float("inf")
        return max((value for value in times if value is not None), default=None)

    def worst_settling_s(self) -> float | None:
        """The longest time from a kill to the settling of the jobs it interrupted."""
        self._note_settled()
        times = [kill.settled_after_s for kill in self.log.kills if kill.jobs]
        if any(value is None for value in times):
            return float("inf")
        return max((value for value in times if value is not None), default=None)
