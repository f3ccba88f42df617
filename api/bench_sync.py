"""`qbsync bench sync`: a firm's first sync against the sandbox at QBO's limits, measured.

It runs the real pieces: a database of its own on the PostgreSQL server, Redis under a
namespace of its own, `dramatiq worker.main` processes, and the bundled sandbox over loopback
HTTP with QBO's limits on and a fixed latency. Half of the accounts already exist as customers
in the company. The clock runs from the first bulk request to the last account settled; the
floor is what QBO's limits allow for the work actually needed (issue 16): batches carry
40 x 30 = 1,200 writes a minute and single calls the other 460 requests, so the floor is
(writes + reads) / 1,660 minutes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from api.bench_support import bench_database, drop_namespace, new_namespace
from core.adapters.crypto import generate_key
from core.bootstrap import Services, build_services
from core.config import Settings
from core.domain.records import Account
from core.domain.status import SyncStatus
from core.services.bulk_sync import Selection, bulk_sync
from core.services.firms import connect_firm, create_firm
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher

# QBO's limits per company (shared/qbo/README.md, Limits): what the floor is made of.
WRITES_PER_MINUTE_BY_BATCH = 40 * 30
SINGLE_CALLS_PER_MINUTE = 500 - 40
CUSTOMER_PAGE = 1000


@dataclass(frozen=True)
class FirstSyncReport:
    accounts: int
    wall_s: float
    floor_s: float
    wall_over_floor: float
    qbo_requests: int
    batch_requests: int
    single_requests: int
    reads_per_1000_accounts: float
    throttled: int
    synced: int
    failed: int


def floor_seconds(writes: int, reads: int) -> float:
    """What QBO's limits allow at best for this work (issue 16, "The floor")."""
    return (writes + reads) / (WRITES_PER_MINUTE_BY_BATCH + SINGLE_CALLS_PER_MINUTE) * 60


def run_first_sync(
    accounts: int,
    postgres_url: str,
    redis_url: str,
    *,
    latency_ms: float = 100.0,
    processes: int = 1,
    threads: int = 8,
    progress: Callable[[str], None] = print,
) -> FirstSyncReport:
    """Sync `accounts` accounts of a new firm, half of them QBO customers already."""
    existing = accounts // 2
    state = SandboxState(SandboxOptions(latency_ms=latency_ms))
    realm_id = seed_demo_company(state)
    for n in range(existing):
        state.add_customer(realm_id, DisplayName=_name(n))
    demo_customers = len(state.customers(realm_id)) - existing
    key = generate_key()
    namespace = new_namespace()
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
        firm_id, _ = create_firm(services.uow(), "Bench firm", services.clock())
        connect_firm(
            services.uow(), services.vault, firm_id, realm_id=realm_id,
            api_base_url=sandbox.url, access_token=DEMO_ACCESS_TOKEN, now=services.clock(),
        )  # fmt: skip
        _add_accounts(services, firm_id, accounts)
        progress(f"{accounts} accounts stored, {existing} of them customers in QBO already")
        broker = build_broker(settings)
        dispatcher = DramatiqDispatcher(broker)
        with _workers(settings, key, processes, threads):
            state.throttle.counters.reset(realm_id)
            started = time.monotonic()
            remaining = accounts
            while remaining:
                result = bulk_sync(
                    services.uow(), dispatcher, firm_id,
                    Selection(status=SyncStatus.NOT_SYNCED), services.clock(),
                )  # fmt: skip
                remaining = result.remaining
            counts = _settle(services, firm_id, started, progress)
            wall = time.monotonic() - started
        broker.close()
        drop_namespace(redis_url, namespace)
        services.engine.dispose()
    used = state.throttle.counters.of(realm_id)
    singles = used["reads"] + used["writes"] - used["batch_items"]
    needed_reads = math.ceil((existing + demo_customers) / CUSTOMER_PAGE) + 1  # + the type
    floor = floor_seconds(accounts - existing, needed_reads)
    return FirstSyncReport(
        accounts=accounts,
        wall_s=round(wall, 1),
        floor_s=round(floor, 1),
        wall_over_floor=round(wall / floor, 3),
        qbo_requests=singles + used["batches"],
        batch_requests=used["batches"],
        single_requests=singles,
        reads_per_1000_accounts=round(used["reads"] / accounts * 1000, 2),
        throttled=used["throttled"],
        synced=counts.get(SyncStatus.SYNCED, 0),
        failed=counts.get(SyncStatus.FAILED, 0),
    )


def write_report(report: FirstSyncReport, path: Path) -> None:
    path.write_text(json.dumps(asdict(report), indent=2) + "\n")


def _name(n: int) -> str:
    return f"Bench Client {n:05}"


def _add_accounts(services: Services, firm_id: int, accounts: int) -> None:
    now = services.clock()
    with services.uow() as uow:
        for n in range(accounts):
            name = _name(n) if n % 2 == 0 else _name(accounts + n)  # every other one is new
            uow.accounts.add(
                Account(firm_id=firm_id, external_id=f"b-{n}", name=name, created_at=now,
                        updated_at=now)
            )  # fmt: skip
        uow.commit()


def _settle(
    services: Services, firm_id: int, started: float, progress: Callable[[str], None]
) -> dict[SyncStatus, int]:
    """Wait until no account is Syncing, telling how far it got every few seconds."""
    while True:
        with services.uow() as uow:
            counts = uow.accounts.count_by_status(firm_id)
        syncing = counts.get(SyncStatus.SYNCING, 0)
        progress(
            f"{time.monotonic() - started:6.1f} s  synced {counts.get(SyncStatus.SYNCED, 0)}"
            f"  failed {counts.get(SyncStatus.FAILED, 0)}  syncing {syncing}"
        )
        if not syncing:
            return counts
        time.sleep(2)  # a progress report, not a synchronisation


@contextmanager
def _workers(settings: Settings, key: str, processes: int, threads: int) -> Iterator[None]:
    """The worker and scheduler processes of the Procfile, on the bench's database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "QBSYNC_REDIS_NAMESPACE": settings.redis_namespace,
        "QBSYNC_ENCRYPTION_KEYS": key,
        # The company's list is kept for the whole run; what qbsync creates is added to it.
        "QBSYNC_CUSTOMER_CACHE_SECONDS": "3600",
    }
    dramatiq = Path(sys.executable).with_name("dramatiq")
    command = [str(dramatiq), "worker.main", "--processes", str(processes)]
    command += ["--threads", str(threads), "--worker-shutdown-timeout", "20000"]
    # As the Procfile runs them: the worker, and the scheduler whose relay resends the jobs of
    # a worker that died.
    processes_run = [
        subprocess.Popen(command, env=env),
        subprocess.Popen([sys.executable, "-m", "worker.scheduler"], env=env),
    ]
    try:
        yield
    finally:
        for process in processes_run:
            process.terminate()
        for process in processes_run:
            process.wait(timeout=60)
