"""`qbsync bench sync`: issue 16's five measurements in one run, one JSON report.

(a) and (d) a firm's first sync at QBO's limits with ten small firms syncing meanwhile
(api.bench_sync), (b) the pipeline against Dramatiq's no-op jobs (api.bench_pipeline), (c) the
admin API's latency over 100,000 accounts (api.bench_api), and (e) every process's peak
memory, gathered from the three. The report's top level holds the figures the issue names.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Collection
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from api.bench_api import run_api_latency
from api.bench_pipeline import run_pipeline
from api.bench_support import bench_database, drop_namespace, new_namespace, quiesce
from api.bench_sync import run_first_sync
from core.adapters.crypto import generate_key


def run_all(
    postgres_url: str,
    redis_url: str,
    *,
    accounts: int = 10_000,
    pipeline_jobs: int = 10_000,
    api_accounts: int = 100_000,
    api_samples: int = 500,
    parts: Collection[str] = ("first-sync", "pipeline", "api"),
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the chosen parts one after another; the report of all of them."""
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    peaks: dict[str, float] = {}
    started = time.monotonic()
    if "first-sync" in parts:
        progress(f"(a, d) first sync of {accounts} accounts, ten small firms meanwhile")
        first = run_first_sync(accounts, postgres_url, redis_url, progress=progress)
        report |= {k: v for k, v in asdict(first).items() if k != "peak_rss_mb"}
        peaks |= {f"first sync: {name}": mb for name, mb in first.peak_rss_mb.items()}
    if "pipeline" in parts:
        quiesce(postgres_url)
        progress(f"(b) {pipeline_jobs} single-account sync jobs against as many no-op jobs")
        pipeline = run_pipeline(pipeline_jobs, postgres_url, redis_url, progress=progress)
        report |= {
            "pipeline_jobs": pipeline.jobs,
            "pipeline_jobs_per_s": pipeline.pipeline_jobs_per_s,
            "noop_jobs_per_s": pipeline.noop_jobs_per_s,
            "pipeline_over_noop": pipeline.pipeline_over_noop,
            "pipeline_rounds": pipeline.rounds,
        }
        peaks |= {f"pipeline: {name}": mb for name, mb in pipeline.peak_rss_mb.items()}
    if "api" in parts:
        quiesce(postgres_url)
        progress(f"(c) the API's latency over {api_accounts} accounts")
        namespace = new_namespace()
        try:
            with bench_database(postgres_url) as database_url:
                api = run_api_latency(
                    database_url, redis_url, namespace, generate_key(), accounts=api_accounts,
                    samples=api_samples, progress=progress,
                )  # fmt: skip
        finally:
            drop_namespace(redis_url, namespace)
        report |= {
            "api_accounts": api.accounts,
            "api_p99_ms": api.api_p99_ms,
            "api_latency_ms": {
                name: {"p50": latency.p50_ms, "p99": latency.p99_ms}
                for name, latency in api.latency.items()
            },
        }
        peaks |= {f"api: {name}": mb for name, mb in api.rss_mb.items()}
    report["peak_rss_mb"] = peaks
    report["peak_rss_max_mb"] = max(peaks.values(), default=0.0)
    report["bench_s"] = round(time.monotonic() - started, 1)
    return report


def summary(report: dict[str, Any]) -> list[str]:
    """The figures the issue asks for, a line each, as far as they were measured."""
    lines = []
    if "wall_s" in report:
        lines += [
            f"(a) {report['accounts']} accounts: wall {report['wall_s']} s, floor "
            f"{report['floor_s']} s, wall/floor {report['wall_over_floor']}; QBO requests "
            f"{report['qbo_requests']} ({report['batch_requests']} batch), reads per 1,000 "
            f"accounts {report['reads_per_1000_accounts']}, 429s {report['throttled']}",
            f"(d) small firms' time to Synced: p95 {report['small_firm_p95_s']} s",
        ]
    if "pipeline_over_noop" in report:
        lines.append(
            f"(b) pipeline {report['pipeline_jobs_per_s']} jobs/s, no-op "
            f"{report['noop_jobs_per_s']} jobs/s: {report['pipeline_over_noop']}"
        )
    if "api_p99_ms" in report:
        lines.append(f"(c) API p99 (filtered page of 50, enqueue): {report['api_p99_ms']} ms")
    lines.append(f"(e) peak memory of any process: {report['peak_rss_max_mb']} MB")
    return lines
