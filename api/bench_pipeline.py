"""Issue 16's part (b): what qbsync's own pipeline costs, against Dramatiq's own throughput.

With the sandbox answering at once and throttling nothing (and qbsync's gate told so), one
worker process of eight threads runs single-account sync jobs — one message each, as the API
sends them for `POST /v1/accounts/{id}/sync` — and, in the same run on the same broker, as
many no-op jobs. Each rate runs from the first message sent to the last job done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
import sqlalchemy as sa

from api.bench_noop import NOOP
from api.bench_support import (
    Processes,
    backlog_worked_off,
    bench_database,
    drop_namespace,
    new_namespace,
    worker_command,
)
from core.adapters.crypto import generate_key
from core.adapters.db.tables import jobs
from core.bootstrap import Services, build_services
from core.config import Settings
from core.domain.records import Account
from core.domain.status import SyncStatus
from core.services.accounts import start_sync_job
from core.services.firms import connect_firm, create_firm
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from worker.broker import build_broker
from worker.dispatch import QUEUE, DramatiqDispatcher

CHUNK = 500  # jobs recorded per transaction while the worker already runs


@dataclass(frozen=True)
class PipelineReport:
    jobs: int
    pipeline_jobs_per_s: float
    noop_jobs_per_s: float
    pipeline_over_noop: float  # of the median round
    rounds: list[float]  # each round's ratio
    peak_rss_mb: dict[str, float]


def run_pipeline(
    jobs: int,
    postgres_url: str,
    redis_url: str,
    *,
    threads: int = 8,
    rounds: int = 3,
    progress: Callable[[str], None] = print,
) -> PipelineReport:
    """Time `jobs` no-op jobs, then `jobs` single-account syncs (half of the names QBO has),
    `rounds` times in turn; the ratio is the median round's.

    Rounds in turn, not one long run of each: this machine's cores run the same work at two
    speeds, switching every few seconds, and a ratio of two rates taken at different speeds
    would measure the machine.
    """
    state = SandboxState(SandboxOptions(throttling=False, latency_ms=0))
    key, namespace = generate_key(), new_namespace()
    with (
        bench_database(postgres_url) as database_url,
        SandboxServer(state, server="waitress") as sandbox,
    ):
        settings = Settings(
            database_url=database_url,
            redis_url=redis_url,
            redis_namespace=namespace,
            encryption_keys=(key,),
        )
        services = build_services(settings)
        firms = [_firm_with_accounts(services, state, sandbox.url, jobs, r) for r in range(rounds)]
        broker = build_broker(settings)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "QBSYNC_REDIS_NAMESPACE": namespace,
            "QBSYNC_ENCRYPTION_KEYS": key,
            "QBSYNC_QBO_PACING": "off",  # the sandbox throttles nothing: qbsync is measured
        }
        measured: list[tuple[float, float]] = []  # (no-op, pipeline) jobs a second
        peaks: dict[str, float] = {}
        dispatcher = DramatiqDispatcher(broker)
        for firm_id in firms:
            with Processes(env) as running:
                noop = _noop_rate(running, broker, redis_url, namespace, jobs, threads)
                pipeline = _pipeline_rate(running, services, dispatcher, firm_id, threads)
            measured.append((noop, pipeline))
            progress(
                f"round {len(measured)}: no-op jobs {noop:.0f} a second, single-account sync "
                f"jobs {pipeline:.0f} a second: {pipeline / noop:.3f}"
            )
            for name, mb in running.peaks_mb.items():
                peaks[name] = max(mb, peaks.get(name, 0.0))
        broker.close()
        drop_namespace(redis_url, namespace)
        services.engine.dispose()
    noop, pipeline = sorted(measured, key=lambda rates: rates[1] / rates[0])[len(measured) // 2]
    return PipelineReport(
        jobs=jobs,
        pipeline_jobs_per_s=round(pipeline, 1),
        noop_jobs_per_s=round(noop, 1),
        pipeline_over_noop=round(pipeline / noop, 3),
        rounds=[round(p / n, 3) for n, p in measured],
        peak_rss_mb=peaks,
    )


def _firm_with_accounts(
    services: Services, state: SandboxState, url: str, accounts: int, number: int
) -> int:
    """A firm connected to a demo company of its own (so that every round starts from the same
    QBO), with `accounts` accounts, every other one named like a customer the company has."""
    prefix = f"Pipeline {number} client"
    realm_id = str(int(DEMO_REALM_ID) + number)
    access_token = f"{DEMO_ACCESS_TOKEN}-{number}"
    seed_demo_company(state, realm_id, access_token)
    for n in range(0, accounts, 2):
        state.add_customer(realm_id, DisplayName=f"{prefix} {n:05}")
    firm_id, _ = create_firm(services.uow(), f"Pipeline firm {number}", services.clock())
    connect_firm(
        services.uow(), services.vault, firm_id, realm_id=realm_id, api_base_url=url,
        access_token=access_token, now=services.clock(),
    )  # fmt: skip
    now = services.clock()
    with services.uow() as uow:
        for n in range(accounts):
            uow.accounts.add(
                Account(firm_id=firm_id, external_id=f"p-{n}", name=f"{prefix} {n:05}",
                        created_at=now, updated_at=now)
            )  # fmt: skip
        uow.commit()
    return firm_id


def _noop_rate(
    running: Processes,
    broker: dramatiq.Broker,
    redis_url: str,
    namespace: str,
    jobs: int,
    threads: int,
) -> float:
    """No-op jobs a second while the worker works off a backlog of `jobs` of them."""
    for _ in range(jobs):
        broker.enqueue(dramatiq.Message(queue_name=QUEUE, actor_name=NOOP, args=(), kwargs={},
                                        options={}))  # fmt: skip
    running.start("noop worker", worker_command("api.bench_noop", threads=threads))
    first, done = backlog_worked_off(redis_url, namespace, jobs)
    running.stop("noop worker")
    return (jobs - 1) / (done - first)


def _pipeline_rate(
    running: Processes,
    services: Services,
    dispatcher: DramatiqDispatcher,
    firm_id: int,
    threads: int,
) -> float:
    """Sync jobs a second while the worker works off a backlog of single-account syncs:
    from the first claim to the last outcome, as the jobs themselves record them."""
    with services.uow() as uow:
        page, total = uow.accounts.list(firm_id, status=None, offset=0, limit=10**9)
        account_ids = [a.id for a in page if a.id is not None]
    for start in range(0, total, CHUNK):
        now = services.clock()
        with services.uow() as uow:
            queued = []
            for account in uow.accounts.by_ids(account_ids[start : start + CHUNK]):
                job = start_sync_job(uow, account, now, {})
                job.published_at = now  # its message goes right after the commit
                queued.append(job)
            uow.commit()
        for job in queued:
            dispatcher.dispatch(job)
    running.start("pipeline worker", worker_command(threads=threads))
    while True:
        with services.uow() as uow:
            syncing = uow.accounts.count_by_status(firm_id).get(SyncStatus.SYNCING, 0)
        if not syncing:
            break
        time.sleep(0.05)  # polling the database for the end, not a synchronisation
    with services.engine.connect() as connection:
        first, last = connection.execute(
            sa.select(sa.func.min(jobs.c.started_at), sa.func.max(jobs.c.finished_at)).where(
                jobs.c.firm_id == firm_id
            )
        ).one()
    running.stop("pipeline worker")
    return float(total / (last - first).total_seconds())
