"""`qbsync bench api`: the admin API's latency over a firm of 100,000 accounts (issue 16 c).

It runs the Procfile's `web` process (gunicorn with deploy/gunicorn.conf.py) on an
already-migrated PostgreSQL database, stores the accounts in bulk, and sends the requests
one after another over one keep-alive connection, after a warm-up: pages of the whole list,
pages of one status, name searches (`q`), and sync requests (enqueues: the jobs wait in
Redis, no worker runs). The issue's criterion is `api_p99_ms`, the worst p99 of a filtered
page of 50 and of an enqueue: under 20 ms. Nothing is cached between requests; every page
counts its matches.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from api.bench_support import descendants, free_port, peak_rss_mb
from core.adapters.db.tables import accounts as accounts_table
from core.bootstrap import build_services
from core.config import Settings
from core.domain.status import SyncStatus
from core.services.firms import create_firm

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
PAGE_SIZE = 50
WARM_UP = 20  # untimed requests of each kind before the measured ones
INSERT_CHUNK = 5_000
STATUS_MIX = {  # a firm some way into its first sync
    SyncStatus.SYNCED: 0.80,
    SyncStatus.NOT_SYNCED: 0.10,
    SyncStatus.FAILED: 0.06,
    SyncStatus.SKIPPED: 0.04,
}
SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores",
)  # fmt: skip
FORMS = ("LLC", "Inc", "& Sons", "CPA", "Family Trust", "Holdings", "Ltd", "")
DUPLICATE_NAME = {
    "message": "QuickBooks already has a customer with this name; link it or rename one",
    "code": "6240",
    "detail": "The name supplied already exists. : Another customer is already using this name",
    "retryable": False,
    "intuit_tid": "1-6a2f3b4c-0d9e8f7a6b5c4d3e2f1a0b9c",
}
# What a failing request shows of the web process's log.
LOG_TAIL = 4_000


@dataclass(frozen=True)
class Latency:
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class ApiLatencyReport:
    accounts: int
    samples: int
    latency: dict[str, Latency]  # by operation: page, failed_page, synced_page, search, enqueue
    api_p99_ms: float  # the criterion: the worst p99 of a filtered page and an enqueue
    peak_rss_mb: float  # the largest peak resident set of the web processes
    rss_mb: dict[str, float]  # each web process's peak resident set (VmHWM)
    # The machine's 1-minute load average as the requests started and ended: other work on
    # the same cores shows in the p99s.
    load_average: tuple[float, float]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


@dataclass(frozen=True)
class Seeded:
    firm_id: int
    api_key: str
    external_ids_by_status: dict[SyncStatus, list[str]]


class BenchError(RuntimeError):
    """The bench could not measure: the web process did not start, or a request failed."""


def run_api_latency(
    database_url: str,
    redis_url: str,
    redis_namespace: str,
    encryption_key: str,
    *,
    accounts: int = 100_000,
    samples: int = 500,
    progress: Callable[[str], None] = print,
) -> ApiLatencyReport:
    """Measure the API's latency over a new firm of `accounts` accounts, `samples` requests of
    each kind, on the already-migrated PostgreSQL database at `database_url`."""
    started = time.monotonic()
    seeded = seed_accounts(database_url, encryption_key, accounts)
    progress(f"{accounts} accounts stored and analysed in {time.monotonic() - started:.1f} s")
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "QBSYNC_REDIS_NAMESPACE": redis_namespace,
        "QBSYNC_ENCRYPTION_KEYS": encryption_key,
        # Far above the bench's pace: each request is counted, as in production, never refused.
        "QBSYNC_API_RATE_LIMIT": "100000 per minute",
    }
    rng = random.Random(16)
    operations = plan_requests(seeded, samples + WARM_UP, rng)
    with web_process(env) as (process, base_url):
        progress(f"web process {process.pid} answers at {base_url}")
        load_before = os.getloadavg()[0]
        latency = measure(base_url, seeded.api_key, operations, progress)
        load_after = os.getloadavg()[0]
        rss = web_rss_mb(process.pid)
    filtered = ("failed_page", "synced_page", "enqueue")
    return ApiLatencyReport(
        accounts=accounts,
        samples=samples,
        latency=latency,
        api_p99_ms=max(latency[name].p99_ms for name in filtered),
        peak_rss_mb=max(rss.values()),
        rss_mb=rss,
        load_average=(round(load_before, 2), round(load_after, 2)),
    )


def seed_accounts(database_url: str, encryption_key: str, count: int) -> Seeded:
    """A firm with `count` accounts of a realistic status mix, stored in bulk, then analysed."""
    services = build_services(
        Settings(database_url=database_url, encryption_keys=(encryption_key,))
    )
    firm_id, api_key = create_firm(services.uow(), "Bench firm", services.clock())
    rng = random.Random(count)
    statuses = rng.choices(list(STATUS_MIX), weights=list(STATUS_MIX.values()), k=count)
    now = datetime.now(UTC)
    by_status: dict[SyncStatus, list[str]] = {status: [] for status in SyncStatus}
    with services.engine.begin() as connection:
        for start in range(0, count, INSERT_CHUNK):
            rows = []
            for n in range(start, min(start + INSERT_CHUNK, count)):
                external_id = f"a-{n:06}"
                by_status[statuses[n]].append(external_id)
                rows.append(_account_row(firm_id, n, external_id, statuses[n], now, rng))
            connection.execute(accounts_table.insert(), rows)
    with services.uow() as uow:  # loaded around the repository: counted afresh
        uow.accounts.recount(firm_id)
        uow.commit()
    with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    services.engine.dispose()
    return Seeded(firm_id=firm_id, api_key=api_key, external_ids_by_status=by_status)


def _account_row(
    firm_id: int, n: int, external_id: str, status: SyncStatus, now: datetime, rng: random.Random
) -> dict[str, Any]:
    name = f"Client {n:06} {rng.choice(SURNAMES)} {rng.choice(FORMS)}".strip()
    synced = status is SyncStatus.SYNCED
    return {
        "firm_id": firm_id,
        "external_id": external_id,
        "name": name,
        "status": status,
        "qbo_customer_id": str(1000 + n) if synced else None,
        "error": DUPLICATE_NAME if status is SyncStatus.FAILED else None,
        "email": f"client{n:06}@example.com" if n % 3 else None,
        "last_synced_at": now if synced else None,
        "created_at": now,
        "updated_at": now,
    }


Request = tuple[str, str, int]  # method, path, expected status


def plan_requests(seeded: Seeded, each: int, rng: random.Random) -> dict[str, list[Request]]:
    """`each` requests of every kind: random pages, random name fragments, distinct syncs."""
    by_status = seeded.external_ids_by_status
    total = sum(len(ids) for ids in by_status.values())

    def pages(count: int, query: str) -> list[Request]:
        last = max(1, -(-count // PAGE_SIZE))
        return [
            ("GET", f"/v1/accounts?{query}page={rng.randint(1, last)}&page_size={PAGE_SIZE}", 200)
            for _ in range(each)
        ]

    def fragment() -> str:
        if rng.random() < 0.5:
            return rng.choice(SURNAMES)[: rng.randint(3, 6)].lower()
        return f"{rng.randrange(total):06}"[rng.randint(0, 2) :][:4]

    # Distinct accounts, never-synced ones first (what an admin syncs), then failed ones, then any.
    if total < each:
        raise BenchError(f"{each} distinct accounts to sync are needed, the firm has {total}")
    to_sync: list[str] = []
    for status in (SyncStatus.NOT_SYNCED, SyncStatus.FAILED, SyncStatus.SKIPPED, SyncStatus.SYNCED):
        ids = by_status[status]
        to_sync += rng.sample(ids, min(len(ids), each - len(to_sync)))
    return {
        "page": pages(total, ""),
        "failed_page": pages(len(by_status[SyncStatus.FAILED]), "status=failed&"),
        "synced_page": pages(len(by_status[SyncStatus.SYNCED]), "status=synced&"),
        "search": [
            ("GET", f"/v1/accounts?q={fragment()}&page_size={PAGE_SIZE}", 200) for _ in range(each)
        ],
        "enqueue": [("POST", f"/v1/accounts/{external_id}/sync", 202) for external_id in to_sync],
    }


def measure(
    base_url: str,
    api_key: str,
    operations: dict[str, list[Request]],
    progress: Callable[[str], None],
) -> dict[str, Latency]:
    """Send each kind's requests in turn, one at a time; time all but the warm-up ones."""
    headers = {"Authorization": f"Bearer {api_key}"}
    latency = {}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for name, requests in operations.items():
            for request in requests[:WARM_UP]:
                _timed(client, request)
            timings = [_timed(client, request) for request in requests[WARM_UP:]]
            latency[name] = summarise(timings)
            progress(
                f"{name:12} p50 {latency[name].p50_ms:7.2f} ms  p99 {latency[name].p99_ms:7.2f} ms"
            )
    return latency


def _timed(client: httpx.Client, request: Request) -> float:
    method, path, expected = request
    started = time.perf_counter()
    response = client.request(method, path)
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise BenchError(f"{method} {path} answered {response.status_code}: {response.text}")
    return elapsed * 1000


def summarise(timings_ms: Sequence[float]) -> Latency:
    """The median, 99th percentile and maximum of some latencies, in milliseconds."""
    cuts = statistics.quantiles(timings_ms, n=100, method="inclusive")
    return Latency(
        requests=len(timings_ms),
        p50_ms=round(cuts[49], 2),
        p99_ms=round(cuts[98], 2),
        max_ms=round(max(timings_ms), 2),
    )


@contextmanager
def web_process(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The Procfile's `web` process on a free port, once its health check answers 200."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "api.wsgi:create_app_from_env()",
        "--config",
        str(GUNICORN_CONFIG),
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(process, base_url, log)
            yield process, base_url
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], base_url: str, log: Any, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the web process exited ({process.returncode}): {_tail(log)}")
        try:
            if httpx.get(f"{base_url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    raise BenchError(f"the web process did not answer within {timeout:.0f} s: {_tail(log)}")


def _tail(log: Any) -> str:
    log.seek(0)
    return str(log.read()[-LOG_TAIL:].decode(errors="replace"))


def web_rss_mb(master_pid: int) -> dict[str, float]:
    """The peak resident set (VmHWM) of gunicorn's master and of each of its workers, in MB."""
    workers = descendants(master_pid)
    processes = {"master": master_pid} | {f"worker {n}": pid for n, pid in enumerate(workers, 1)}
    return {name: round(peak_rss_mb(pid), 1) for name, pid in processes.items()}


def format_report(report: ApiLatencyReport) -> str:
    """The report as a table for the terminal."""
    lines = [f"{'operation':14}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for name, latency in report.latency.items():
        lines.append(
            f"{name:14}{latency.requests:>9}{latency.p50_ms:>9.2f}{latency.p99_ms:>9.2f}"
            f"{latency.max_ms:>9.2f}"
        )
    verdict = "under" if report.api_p99_ms < 20 else "NOT under"
    lines.append(f"api_p99_ms {report.api_p99_ms:.2f} ({verdict} 20 ms: filtered page, enqueue)")
    rss = ", ".join(f"{name} {mb:.1f}" for name, mb in report.rss_mb.items())
    lines.append(f"peak RSS of the web processes: {report.peak_rss_mb:.1f} MB ({rss})")
    start, end = report.load_average
    lines.append(f"load average (1 min) at the start and end of the requests: {start}, {end}")
    return "\n".join(lines)
