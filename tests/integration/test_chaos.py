"""Issue 17's chaos run, small enough for CI (under three minutes): the Procfile's processes on
PostgreSQL, a redis-server of the test's own and the sandbox with QBO faults, a few hundred
records through the API, worker SIGKILLs and a PaaS stop, a SIGKILL of every worker inside a
batch request's answer (after QBO wrote, before the answer was stored), a Redis restart, an
API kill and an expired access token. Every count must be zero."""

from __future__ import annotations

import shutil
import time

import pytest

from api.bench_chaos import run_once
from api.chaos_faults import FaultPlan
from api.chaos_load import Plan
from tests.servers import HAS_POSTGRES, POSTGRES_URL

HAS_REDIS_SERVER = shutil.which("redis-server") is not None
# The run gives up (and the test fails) if it has not converged by then: with the start and
# the checks (about 4 s), the test stays under issue 17's three minutes. Ten runs of seeds
# 17-26 on 2026-12-06 converged in 44-133 s; the slowest records are those that meet several
# QBO faults and worker kills in a row, each retry a little later than the one before.
CONVERGE_WITHIN_S = 165.0
PLAN = Plan(accounts=100, invoices=120, payments=60)
FAULTS = FaultPlan(
    fault_rate=0.10,
    kill_every_s=(12.0, 20.0),
    token_expiry_at_s=5.0,
    api_kill_at_s=12.0,
    redis_at_s=20.0,
    redis_outage_s=5.0,
    kill_on_batch=True,
)


@pytest.mark.skipif(not HAS_POSTGRES, reason="the chaos run needs PostgreSQL")
@pytest.mark.skipif(not HAS_REDIS_SERVER, reason="the chaos run needs the redis-server binary")
def test_a_chaos_run_loses_duplicates_and_strands_nothing() -> None:
    started = time.monotonic()

    report = run_once(POSTGRES_URL, PLAN, FAULTS, 50.0, CONVERGE_WITHIN_S, print)

    took = time.monotonic() - started
    print(f"chaos run: {took:.1f} s, {report}")
    assert report.converged, report.examples
    counts = (report.duplicates, report.lost, report.stuck, report.mismatched)
    assert counts == (0, 0, 0, 0), report.examples
    hows = [event for event in report.events if "SIGKILL" in event]
    assert any("inside a batch answer" in event and "holding 0 " not in event for event in hows)
    assert any(event.endswith("Redis restarted") for event in report.events)
    assert report.kills >= 3 and report.restarts["web"] == 1
