"""Issue 16's parts (a) and (d): a firm's first sync at QBO's limits, and other firms' syncs
while it runs.

It runs the real pieces: a database of its own on the PostgreSQL server, Redis under a
namespace of its own, the Procfile's worker and scheduler processes, and the bundled sandbox
over loopback HTTP with QBO's limits on and a fixed latency. Half of the big firm's accounts
already exist as customers in its company. The clock runs from the first bulk request to the
last account settled; the floor is what QBO's limits allow for the work actually needed:
batches carry 40 x 30 = 1,200 writes a minute and single calls the other 460 requests, so the
floor is (writes + reads) / 1,660 minutes.

While the big firm's sync runs, ten small firms (each with a company of its own) ask for the
first sync of their ten accounts; each account's time from that request to Synced is kept.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from api.bench_support import (
    Processes,
    bench_database,
    drop_namespace,
    new_namespace,
    own_peak_rss_mb,
    wait_until_consuming,
)
from core.adapters.crypto import generate_key
from core.bootstrap import Services, build_services
from core.config import Settings
from core.domain.records import Account
from core.domain.status import SyncStatus
from core.services.bulk_sync import Selection, bulk_sync
from core.services.firms import connect_firm, create_firm
from sandbox.options import SandboxOptions
from sandbox.seed import seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher

# QBO's limits per company (shared/qbo/README.md, Limits): what the floor is made of.
WRITES_PER_MINUTE_BY_BATCH = 40 * 30
SINGLE_CALLS_PER_MINUTE = 500 - 40
CUSTOMER_PAGE = 1000
PROGRESS_EVERY_S = 5.0


@dataclass(frozen=True)
class FirstSyncReport:
    accounts: int
    wall_s: float
    floor_s: float
    wall_over_floor: float
    qbo_requests: int
    batch_requests: int
    single_requests: int
    reads: int
    reads_per_1000_accounts: float
    throttled: int
    synced: int
    failed: int
    small_firms: int
    small_firm_p50_s: float | None
    small_firm_p95_s: float | None
    small_firm_max_s: float | None
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def floor_seconds(writes: int, reads: int) -> float:
    """What QBO's limits allow at best for this work (issue 16, "The floor")."""
    return (writes + reads) / (WRITES_PER_MINUTE_BY_BATCH + SINGLE_CALLS_PER_MINUTE) * 60


@dataclass(frozen=True)
class _Firm:
    id: int
    realm_id: str
    accounts: int
    customers: int  # in its company before the sync


def run_first_sync(
    accounts: int,
    postgres_url: str,
    redis_url: str,
    *,
    latency_ms: float = 100.0,
    processes: int = 1,
    threads: int = 8,
    small_firms: int = 10,
    small_firm_accounts: int = 10,
    small_firms_after_s: float = 30.0,
    progress: Callable[[str], None] = print,
) -> FirstSyncReport:
    """Sync `accounts` accounts of a new firm, half of them QBO customers already; ask for the
    small firms' first syncs `small_firms_after_s` into it."""
    state = SandboxState(SandboxOptions(latency_ms=latency_ms))
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
        big = _new_firm(services, state, sandbox.url, "Bench firm", accounts, "9130000000000001")
        small = [
            _new_firm(services, state, sandbox.url, f"Small firm {n}", small_firm_accounts,
                      f"91300000000001{n:02}")
            for n in range(small_firms)
        ]  # fmt: skip
        progress(f"{accounts} accounts stored, {accounts // 2} of them customers in QBO already")
        broker = build_broker(settings)
        dispatcher = DramatiqDispatcher(broker)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "QBSYNC_REDIS_NAMESPACE": namespace,
            "QBSYNC_ENCRYPTION_KEYS": key,
        }
        with Processes(env) as running:
            running.worker(processes=processes, threads=threads)
            running.scheduler()
            wait_until_consuming(broker, redis_url, namespace)
            state.throttle.counters.reset(big.realm_id)
            started = time.monotonic()
            _sync_all(services, dispatcher, big.id)
            asked: dict[int, datetime] = {}
            counts = _settle(
                services, big, small, dispatcher, asked, started, small_firms_after_s, progress
            )
            wall = time.monotonic() - started
            running.stop_all()
            peaks = {**running.peaks_mb, "bench (with the sandbox)": round(own_peak_rss_mb(), 1)}
        small_times = _times_to_synced(services, asked)
        broker.close()
        drop_namespace(redis_url, namespace)
        services.engine.dispose()
    used = state.throttle.counters.of(big.realm_id)
    singles = used["reads"] + used["writes"] - used["batch_items"]
    existing = accounts // 2
    needed_reads = math.ceil(big.customers / CUSTOMER_PAGE) + 1  # the list's pages, the type
    floor = floor_seconds(accounts - existing, needed_reads)
    return FirstSyncReport(
        accounts=accounts,
        wall_s=round(wall, 1),
        floor_s=round(floor, 1),
        wall_over_floor=round(wall / floor, 3),
        qbo_requests=singles + used["batches"],
        batch_requests=used["batches"],
        single_requests=singles,
        reads=used["reads"],
        reads_per_1000_accounts=round(used["reads"] / accounts * 1000, 2),
        throttled=used["throttled"],
        synced=counts.get(SyncStatus.SYNCED, 0),
        failed=counts.get(SyncStatus.FAILED, 0),
        small_firms=len(small),
        small_firm_p50_s=_quantile(small_times, 0.50),
        small_firm_p95_s=_quantile(small_times, 0.95),
        small_firm_max_s=round(max(small_times), 2) if small_times else None,
        peak_rss_mb=peaks,
    )


def _new_firm(
    services: Services, state: SandboxState, url: str, name: str, accounts: int, realm_id: str
) -> _Firm:
    """A firm connected to a demo company of its own, with `accounts` accounts: every other
    one named like a customer the company has already."""
    token = f"bench-token-{realm_id}"
    seed_demo_company(state, realm_id, token)
    prefix = f"{name} client"
    for n in range(0, accounts, 2):
        state.add_customer(realm_id, DisplayName=f"{prefix} {n:05}")
    customers = len(state.customers(realm_id))
    firm_id, _ = create_firm(services.uow(), name, services.clock())
    connect_firm(
        services.uow(), services.vault, firm_id, realm_id=realm_id, api_base_url=url,
        access_token=token, now=services.clock(),
    )  # fmt: skip
    now = services.clock()
    with services.uow() as uow:
        for n in range(accounts):
            uow.accounts.add(
                Account(firm_id=firm_id, external_id=f"b-{n}", name=f"{prefix} {n:05}",
                        created_at=now, updated_at=now)
            )  # fmt: skip
        uow.commit()
    return _Firm(firm_id, realm_id, accounts, customers)


def _sync_all(services: Services, dispatcher: DramatiqDispatcher, firm_id: int) -> None:
    """The firm's first sync: bulk requests of the API's largest size until none is left."""
    remaining = 1
    while remaining:
        result = bulk_sync(
            services.uow(), dispatcher, firm_id, Selection(status=SyncStatus.NOT_SYNCED),
            services.clock(),
        )  # fmt: skip
        remaining = result.remaining


def _settle(
    services: Services,
    big: _Firm,
    small: list[_Firm],
    dispatcher: DramatiqDispatcher,
    asked: dict[int, datetime],
    started: float,
    small_after_s: float,
    progress: Callable[[str], None],
) -> dict[SyncStatus, int]:
    """Wait until no account of any firm is Syncing, asking for the small firms' syncs on
    time and telling how far the big one got every few seconds."""
    reported = -PROGRESS_EVERY_S
    while True:
        elapsed = time.monotonic() - started
        if not asked and elapsed >= small_after_s:
            for firm in small:
                asked[firm.id] = services.clock()
                _sync_all(services, dispatcher, firm.id)
            progress(f"{elapsed:6.1f} s  {len(small)} small firms asked for their first sync")
        with services.uow() as uow:
            counts = uow.accounts.count_by_status(big.id)
            small_syncing = sum(
                uow.accounts.count_by_status(firm_id).get(SyncStatus.SYNCING, 0)
                for firm_id in asked
            )
        syncing = counts.get(SyncStatus.SYNCING, 0)
        if elapsed - reported >= PROGRESS_EVERY_S:
            reported = elapsed
            progress(
                f"{elapsed:6.1f} s  synced {counts.get(SyncStatus.SYNCED, 0)}"
                f"  failed {counts.get(SyncStatus.FAILED, 0)}  syncing {syncing}"
                f"  small firms syncing {small_syncing}"
            )
        if not syncing and not small_syncing and (asked or not small):
            return counts
        time.sleep(0.5)  # polling the database for progress, not a synchronisation


def _times_to_synced(services: Services, asked: dict[int, datetime]) -> list[float]:
    """Each small firm's account: seconds from its firm's request to its move to Synced."""
    times = []
    with services.uow() as uow:
        for firm_id, at in asked.items():
            page, _ = uow.accounts.list(firm_id, status=None, offset=0, limit=1000)
            for account in page:
                assert account.id is not None
                synced = [
                    change.at
                    for change in uow.history.for_record("account", account.id)
                    if change.to_status is SyncStatus.SYNCED and change.at >= at
                ]
                if synced:
                    times.append((min(synced) - at).total_seconds())
    return times


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(cuts[int(q * 100) - 1], 2)
