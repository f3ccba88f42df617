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
    dramatiq_command,
    drop_namespace,
    new_namespace,
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
    pipeline_over_noop: float
    peak_rss_mb: dict[str, float]


def run_pipeline(
    jobs: int,
    postgres_url: str,
    redis_url: str,
    *,
    threads: int = 8,
    progress: Callable[[str], None] = print,
) -> PipelineReport:
    """Time `jobs` no-op jobs, then `jobs` single-account syncs (half of the names QBO has)."""
    state = SandboxState(SandboxOptions(throttling=False, latency_ms=0))
    seed_demo_company(state)
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
        firm_id = _firm_with_accounts(services, state, sandbox.url, jobs)
        broker = build_broker(settings)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "QBSYNC_REDIS_NAMESPACE": namespace,
            "QBSYNC_ENCRYPTION_KEYS": key,
            "QBSYNC_QBO_PACING": "off",  # the sandbox throttles nothing: qbsync is measured
        }
        with Processes(env) as running:
            noop = _noop_rate(running, broker, redis_url, namespace, jobs, threads)
            progress(f"no-op jobs: {noop:.0f} a second")
            dispatcher = DramatiqDispatcher(broker)
            pipeline = _pipeline_rate(running, services, dispatcher, firm_id, threads, progress)
            progress(f"single-account sync jobs: {pipeline:.0f} a second")
            peaks = dict(running.peaks_mb)
        broker.close()
        drop_namespace(redis_url, namespace)
        services.engine.dispose()
    return PipelineReport(
        jobs=jobs,
        pipeline_jobs_per_s=round(pipeline, 1),
        noop_jobs_per_s=round(noop, 1),
        pipeline_over_noop=round(pipeline / noop, 3),
        peak_rss_mb=peaks,
    )


def _firm_with_accounts(services: Services, state: SandboxState, url: str, accounts: int) -> int:
    """A firm connected to the demo company, with `accounts` accounts, every other one named
    like a customer the company has already."""
    for n in range(0, accounts, 2):
        state.add_customer(DEMO_REALM_ID, DisplayName=f"Pipeline client {n:05}")
    firm_id, _ = create_firm(services.uow(), "Pipeline firm", services.clock())
    connect_firm(
        services.uow(), services.vault, firm_id, realm_id=DEMO_REALM_ID, api_base_url=url,
        access_token=DEMO_ACCESS_TOKEN, now=services.clock(),
    )  # fmt: skip
    now = services.clock()
    with services.uow() as uow:
        for n in range(accounts):
            uow.accounts.add(
                Account(firm_id=firm_id, external_id=f"p-{n}", name=f"Pipeline client {n:05}",
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
    running.start("noop worker", dramatiq_command("api.bench_noop", processes=1, threads=threads))
    first, done = backlog_worked_off(redis_url, namespace, jobs)
    running.stop("noop worker")
    return (jobs - 1) / (done - first)


def _pipeline_rate(
    running: Processes,
    services: Services,
    dispatcher: DramatiqDispatcher,
    firm_id: int,
    threads: int,
    progress: Callable[[str], None],
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
    progress(f"{total} single-account sync jobs queued, one message each")
    running.start("pipeline worker", dramatiq_command("worker.main", processes=1, threads=threads))
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
