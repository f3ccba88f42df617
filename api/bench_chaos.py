"""`qbsync bench chaos` (issue 17): exactly-once effects through crashes, outages and QBO
faults.

Each run has a PostgreSQL database of its own (bench_database), a redis-server of its own on
a free port (chaos_stack.RedisServer), the bundled sandbox in this process with QBO's limits
on and some latency, and the Procfile's processes: web (gunicorn), two workers and the
scheduler. A firm connects through the API's OAuth flow (so that its access token can expire
and be refreshed), then the load of chaos_load goes through the API. The same load runs twice,
each time on a fresh database and company: once without faults, once with the schedule of
chaos_faults. A run has converged when the load has been sent and no record is Syncing or
waiting for its push; the end checks (chaos_checks) then count duplicates, lost writes, stuck
and mismatched records. `slowdown` is the faulty run's time to converge over the fault-free
run's.

The sandbox's gateway gives up on a call after 35 s instead of QBO's 120 (just past our
client's 30 s timeout, which gives up first either way), so that an injected timeout does not
hold one of the sandbox's 16 server threads for two minutes.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from api.bench_support import bench_database, drop_namespace, free_port, new_namespace
from api.chaos_checks import check, syncing
from api.chaos_faults import FaultPlan, Faults
from api.chaos_load import Load, LoadError, Plan
from api.chaos_stack import RedisServer, Stack
from core.adapters.crypto import generate_key
from core.bootstrap import build_services
from core.config import Settings
from core.services.firms import create_firm
from sandbox.options import SandboxOptions
from sandbox.seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

REALM_ID = "9170000000000001"
SANDBOX_GATEWAY_TIMEOUT_S = 35.0
PROGRESS_EVERY_S = 5.0


@dataclass(frozen=True)
class RunReport:
    faults: bool
    converged: bool
    converge_s: float
    duplicates: int
    lost: int
    stuck: int
    mismatched: int
    accepted_requests: int
    refused_requests: int
    qbo_counters: dict[str, int]
    kills: int
    kill_times: list[dict[str, object]]
    worst_kill_to_settled_s: float | None
    worst_kill_to_taken_over_s: float | None
    events: list[str]
    examples: dict[str, list[str]]
    restarts: dict[str, int]


def run_chaos(
    postgres_url: str, plan: Plan, faults: FaultPlan, *, latency_ms: float = 50.0,
    timeout_s: float = 3_600.0, progress: Callable[[str], None] = print, faulty_runs: int = 1,
) -> list[dict[str, Any]]:  # fmt: skip
    """The fault-free run, then `faulty_runs` faulty ones (the n-th with the fault seed
    `faults.seed + n`), each on a fresh database and company; a report for each faulty run,
    the issue's keys on top, its slowdown against the one fault-free run."""
    progress(f"fault-free run: {plan.accounts} accounts, {plan.invoices} invoices, "
             f"{plan.payments} payments")  # fmt: skip
    calm = run_once(postgres_url, plan, None, latency_ms, timeout_s, progress)
    progress(f"fault-free run converged in {calm.converge_s:.1f} s; now the faulty run(s)")
    reports = []
    for n in range(faulty_runs):
        these = replace(faults, seed=faults.seed + n)
        faulty = run_once(postgres_url, plan, these, latency_ms, timeout_s, progress)
        reports.append(_report(plan, these, calm, faulty))
        progress(f"faulty run {n + 1} of {faulty_runs}: {summary_line(reports[-1])}")
    return reports


def _report(plan: Plan, faults: FaultPlan, calm: RunReport, faulty: RunReport) -> dict[str, Any]:
    slowdown = round(faulty.converge_s / calm.converge_s, 2) if calm.converge_s else None
    return {
        "duplicates": faulty.duplicates + calm.duplicates,
        "lost": faulty.lost + calm.lost,
        "stuck": faulty.stuck + calm.stuck,
        "mismatched": faulty.mismatched + calm.mismatched,
        "slowdown": slowdown if faulty.converged and calm.converged else None,
        "worst_kill_to_settled_s": faulty.worst_kill_to_settled_s,
        "worst_kill_to_taken_over_s": faulty.worst_kill_to_taken_over_s,
        "sizes": asdict(plan),
        "fault_plan": asdict(faults),
        "fault_free": asdict(calm),
        "faulty": asdict(faulty),
    }


def summary_line(report: dict[str, Any]) -> str:
    keys = (
        "duplicates", "lost", "stuck", "mismatched", "slowdown", "worst_kill_to_settled_s",
        "worst_kill_to_taken_over_s",
    )  # fmt: skip
    return " ".join(f"{key}={report[key]}" for key in keys)


def run_once(
    postgres_url: str, plan: Plan, faults: FaultPlan | None, latency_ms: float,
    timeout_s: float, progress: Callable[[str], None], log_dir: Path | None = None,
) -> RunReport:  # fmt: skip
    """One run of the load on a fresh database, Redis and company; the processes' logs go to
    `log_dir` (a temporary directory by default), and their ends are shown when it fails."""
    options = SandboxOptions(
        latency_ms=latency_ms, jitter_ms=latency_ms, request_timeout=SANDBOX_GATEWAY_TIMEOUT_S,
        fault_seed=faults.seed if faults else None,
    )  # fmt: skip
    state = SandboxState(options)
    port, key, namespace = free_port(), generate_key(), new_namespace()
    with (
        RedisServer() as redis,
        bench_database(postgres_url) as database_url,
        SandboxServer(state, server="waitress") as sandbox,
        tempfile.TemporaryDirectory(prefix="qbsync-chaos-logs-") as temporary,
    ):
        logs = log_dir or Path(temporary)
        seeded = _seed_company(state, plan, port)
        services = build_services(Settings(database_url=database_url, encryption_keys=(key,)))
        firm_id, api_key = create_firm(services.uow(), "Chaos firm", services.clock())
        env = {
            "DATABASE_URL": database_url, "REDIS_URL": redis.url,
            "QBSYNC_REDIS_NAMESPACE": namespace, "QBSYNC_ENCRYPTION_KEYS": key,
            "QBO_CLIENT_ID": DEMO_CLIENT_ID, "QBO_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "QBO_REDIRECT_URI": _callback(port),
            "QBO_DISCOVERY_URL": f"{sandbox.url}/.well-known/openid_sandbox_configuration",
            "QBO_API_BASE_URL": sandbox.url, "LOG_LEVEL": "WARNING",
            # Far above the load's pace: the key's requests are counted (in the run's Redis,
            # in memory through its outage) but never refused.
            "QBSYNC_API_RATE_LIMIT": "100000 per minute",
        }  # fmt: skip
        stack = Stack(env, port, logs)
        load: Load | None = None
        try:
            stack.start_all()
            _connect(stack.base_url, api_key)
            progress(f"system up: web at {stack.base_url}, Redis at {redis.url}")
            load = Load(stack.base_url, api_key, plan, progress, sync_wait_s=timeout_s)
            chaos = (
                Faults(faults, stack, redis, state, services.engine, progress) if faults else None
            )
            started = time.monotonic()
            if chaos:
                chaos.start()
            converged = _converge(load, services.engine, firm_id, started, timeout_s, progress)
            converge_s = time.monotonic() - started
            if chaos:
                chaos.stop()
            found = check(services.engine, firm_id, state, REALM_ID, plan, load.ledger, seeded)
            worst = chaos.worst_settling_s() if chaos else None
            taken_over = chaos.worst_taken_over_s() if chaos else None
            kill_times = chaos.kill_rows() if chaos else []
            restarts = dict(stack.restarts)
            if not converged:
                _show_logs(logs, progress)
        except Exception:
            _show_logs(logs, progress)
            raise
        finally:
            if load is not None:
                load.stop()
            stack.stop_all()
            services.engine.dispose()
            drop_namespace(redis.url, namespace)
    counters = state.throttle.counters.of(REALM_ID)
    report = RunReport(
        faults=faults is not None, converged=converged, converge_s=round(converge_s, 1),
        duplicates=found.duplicates, lost=found.lost, stuck=found.stuck,
        mismatched=found.mismatched, accepted_requests=load.ledger.accepted,
        refused_requests=load.ledger.refused, qbo_counters=dict(counters),
        kills=len(chaos.log.kills) if chaos else 0, kill_times=kill_times,
        worst_kill_to_settled_s=worst, worst_kill_to_taken_over_s=taken_over,
        events=chaos.log.events if chaos else [], examples=found.examples, restarts=restarts,
    )  # fmt: skip
    progress(f"{'faulty' if faults else 'fault-free'} run: {_counts(report)}")
    return report


def _counts(report: RunReport) -> str:
    return (
        f"converged={report.converged} in {report.converge_s} s duplicates={report.duplicates} "
        f"lost={report.lost} stuck={report.stuck} mismatched={report.mismatched} "
        f"kills={report.kills} worst_kill_to_settled_s={report.worst_kill_to_settled_s} "
        f"worst_kill_to_taken_over_s={report.worst_kill_to_taken_over_s}"
    )


def _seed_company(state: SandboxState, plan: Plan, port: int) -> set[str]:
    """The demo company, the app that connects to it, and the customers a quarter of the
    accounts are named like; the Ids of every customer it starts with."""
    seed_demo_company(state, REALM_ID, f"chaos-seed-token-{REALM_ID}")
    seed_demo_oauth_client(state, [_callback(port)])
    for n in range(plan.accounts):
        if plan.matching(n) and not plan.refused(n):
            state.add_customer(REALM_ID, DisplayName=plan.account_name(n))
    return {row["Id"] for row in state.customers(REALM_ID)}


def _callback(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1/connection/callback"


def _connect(base_url: str, api_key: str) -> None:
    """Connect the firm as an admin does: authorize, consent (the sandbox consents at once),
    and Intuit's redirect to our callback."""
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        url = client.post("/v1/connection/authorize").raise_for_status().json()["authorization_url"]
        httpx.get(url, follow_redirects=True, timeout=30).raise_for_status()
        status = client.get("/v1/connection").raise_for_status().json()
    if not status.get("connected"):
        raise LoadError(f"the firm did not connect: {status}")


def _converge(
    load: Load, engine: Any, firm_id: int, started: float, timeout_s: float,
    progress: Callable[[str], None],
) -> bool:  # fmt: skip
    """Send the load and wait until nothing is left to sync; False after `timeout_s`."""
    failure: list[BaseException] = []

    def send() -> None:
        try:
            load.run()
        except BaseException as error:
            failure.append(error)

    sender = threading.Thread(target=send, name="chaos-load", daemon=True)
    sender.start()
    reported = 0.0
    while True:
        elapsed = time.monotonic() - started
        if failure:
            raise failure[0]
        try:
            pending = syncing(engine, firm_id)
        except Exception:
            pending = -1
        if elapsed - reported >= PROGRESS_EVERY_S:
            reported = elapsed
            sent = "sent" if not sender.is_alive() else "sending"
            progress(f"{elapsed:7.1f} s  load {sent}, {pending} record(s) still to settle")
        if not sender.is_alive() and pending == 0:
            return True
        if elapsed > timeout_s:
            return False
        time.sleep(0.5)  # polling the database for convergence, not a synchronisation


def _show_logs(logs: Path, progress: Callable[[str], None], tail: int = 3_000) -> None:
    for log in sorted(logs.glob("*.log")):
        progress(
            f"--- {log.name} (last {tail} characters)\n{log.read_text(errors='replace')[-tail:]}"
        )
