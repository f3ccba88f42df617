"""The `qbsync` command: the embedded default and the operator's commands."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from click.decorators import FC

from core.adapters.db.migrate import upgrade
from core.bootstrap import Services, build_services
from core.config import Settings
from core.logs import configure_logging

T = TypeVar("T")


@click.group()
def main() -> None:
    """qbsync: links a practice's client accounts to QuickBooks Online."""


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port of the API on 127.0.0.1.")
@click.option(
    "--db",
    "database",
    default="qbsync-dev.sqlite3",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file of the embedded system (recreated at each start).",
)
def dev(port: int, database: Path) -> None:
    """Run the whole system in this process, with a demo company in the bundled QBO sandbox."""
    from api.embedded import embedded_system  # the sandbox is wired in only here

    configure_logging("INFO")
    for noisy in ("werkzeug", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop = threading.Event()
    # Ctrl-C, or a SIGTERM from a process manager; set explicitly because a shell starts
    # background jobs with SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with embedded_system(database, port, os.environ.get("QBSYNC_DEV_API_KEY")) as running:
        click.echo(f"qbsync API:       {running.api_url}  (docs: {running.api_url}/docs)")
        click.echo(f"web page:         {running.web_url}  (sign in with the demo API key)")
        click.echo(f"demo API key:     {running.api_key}")
        click.echo(f"QBO sandbox:      {running.sandbox_url}")
        click.echo("Press Ctrl-C to stop.")
        stop.wait()
        click.echo("stopping")


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox(args: tuple[str, ...]) -> None:
    """Run the bundled QBO sandbox on its own (`qbsync sandbox --help` lists its flags)."""
    from sandbox.__main__ import main as run_sandbox

    run_sandbox(list(args), prog="qbsync sandbox")


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to DATABASE_URL (Procfile `release`)."""
    upgrade(Settings.from_env().database_url)
    click.echo("database is at the latest revision")


@main.group()
def keys() -> None:
    """The keys that encrypt OAuth tokens at rest (QBSYNC_ENCRYPTION_KEYS)."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random key."""
    from core.adapters.crypto import generate_key

    click.echo(generate_key())


@keys.command("rotate")
def keys_rotate() -> None:
    """Reseal every stored token and secret with the first key of QBSYNC_ENCRYPTION_KEYS.

    Put the new key first, keep the old ones after it, run this, then drop the old ones.
    """
    from core.services.firms import reseal_tokens
    from core.services.status_events import reseal_status_event_secrets

    with _services() as services:
        count = reseal_tokens(services.uow(), services.vault)
        secrets = reseal_status_event_secrets(services.uow(), services.vault)
    click.echo(f"resealed the tokens of {count} connection(s) with the newest key")
    click.echo(f"resealed the secrets of {secrets} status-event subscription(s)")


@main.group()
def firms() -> None:
    """Firms (tenants) and their API keys."""


@firms.command("create")
@click.argument("name")
def firms_create(name: str) -> None:
    """Create a firm and print its API key, which is shown only this once."""
    from core.services.firms import create_firm

    with _services() as services:
        firm_id, key = create_firm(services.uow(), name, services.clock())
    click.echo(f"firm {firm_id} created; API key (shown once): {key}")


@firms.group("keys")
def firm_keys() -> None:
    """A firm's API keys: several at once, so one can be replaced without a gap."""


@firm_keys.command("create")
@click.argument("firm_id", type=int)
def firm_keys_create(firm_id: int) -> None:
    """Give the firm one more API key and print it, shown only this once."""
    from core.services.firms import issue_api_key

    with _services() as services:
        stored, key = _or_usage_error(
            lambda: issue_api_key(services.uow(), firm_id, services.clock())
        )
    click.echo(f"API key {stored.id} of firm {firm_id} created (shown once): {key}")


@firm_keys.command("list")
@click.argument("firm_id", type=int)
def firm_keys_list(firm_id: int) -> None:
    """The firm's API keys by id and prefix, revoked ones marked."""
    from core.services.firms import api_keys_of

    with _services() as services:
        found = api_keys_of(services.uow(), firm_id)
    for key in found:
        revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.prefix}…\tcreated {key.created_at:%Y-%m-%d %H:%M}\t{revoked}")
    if not found:
        click.echo(f"firm {firm_id} has no API keys")


@firm_keys.command("revoke")
@click.argument("firm_id", type=int)
@click.argument("key_id", type=int)
def firm_keys_revoke(firm_id: int, key_id: int) -> None:
    """Revoke one of the firm's API keys: it is refused from its next request on."""
    from core.services.firms import revoke_api_key

    with _services() as services:
        key = _or_usage_error(
            lambda: revoke_api_key(services.uow(), firm_id, key_id, services.clock())
        )
    click.echo(f"API key {key.id} ({key.prefix}…) of firm {firm_id} revoked")


@contextmanager
def _services() -> Iterator[Services]:
    """The services from the environment, their database connections closed afterwards."""
    services = build_services(Settings.from_env())
    try:
        yield services
    finally:
        services.engine.dispose()


def _or_usage_error(action: Callable[[], T]) -> T:
    """The action's result; a record it does not find is the caller's mistake (exit 2)."""
    from core.errors import NotFoundError

    try:
        return action()
    except NotFoundError as exc:
        raise click.UsageError(str(exc)) from None


# The parts of `qbsync bench sync` (api.bench_all.run_all).
PARTS = ("first-sync", "pipeline", "api")

# The options every benchmark takes: where its servers are, where its report goes.
postgres_url_option = click.option(
    "--postgres-url",
    envvar="QBSYNC_BENCH_POSTGRES_URL",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="A PostgreSQL server; the bench makes databases of its own there and drops them.",
)
redis_url_option = click.option(
    "--redis-url",
    envvar="QBSYNC_BENCH_REDIS_URL",
    default="redis://127.0.0.1:6379/14",
    show_default=True,
    help="A Redis server; the bench uses namespaces of its own and deletes them.",
)


def json_report_option(default: str) -> Callable[[FC], FC]:
    """`--json`: where the bench writes its report (`default` in the working directory)."""
    return click.option(
        "--json",
        "json_path",
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the report.",
    )


@main.group()
def bench() -> None:
    """Benchmarks: long runs against the sandbox at QBO's limits (not tests)."""


@bench.command("sync")
@click.option(
    "--accounts", default=10_000, show_default=True, type=click.IntRange(min=2),
    help="(a, d) Accounts of the firm whose first sync is timed.",
)  # fmt: skip
@click.option(
    "--pipeline-jobs", default=10_000, show_default=True, type=click.IntRange(min=2),
    help="(b) Single-account sync jobs, and as many no-op jobs.",
)  # fmt: skip
@click.option(
    "--api-accounts", default=100_000, show_default=True, type=click.IntRange(min=100),
    help="(c) Accounts of the firm whose API is timed.",
)  # fmt: skip
@click.option(
    "--api-samples", default=500, show_default=True, type=click.IntRange(min=2),
    help="(c) Timed requests of each kind.",
)  # fmt: skip
@click.option(
    "--part", "parts", multiple=True, type=click.Choice(PARTS),
    help="Run only this part (repeatable); all three by default.",
)  # fmt: skip
@postgres_url_option
@redis_url_option
@json_report_option("bench-sync.json")
def bench_sync(
    accounts: int,
    pipeline_jobs: int,
    api_accounts: int,
    api_samples: int,
    parts: tuple[str, ...],
    postgres_url: str,
    redis_url: str,
    json_path: Path,
) -> None:
    """Issue 16's measurements in one run: (a) a firm's first sync against the floor QBO's
    limits allow, (b) the pipeline against Dramatiq's no-op jobs, (c) the API's latency,
    (d) small firms' syncs meanwhile, (e) each process's peak memory."""
    from api.bench_all import run_all, summary
    from api.bench_support import write_report

    configure_logging("WARNING")
    report = run_all(
        postgres_url, redis_url, accounts=accounts, pipeline_jobs=pipeline_jobs,
        api_accounts=api_accounts, api_samples=api_samples, parts=parts or PARTS,
        progress=click.echo,
    )  # fmt: skip
    write_report(report, json_path)
    for line in summary(report):
        click.echo(line)
    click.echo(f"report written to {json_path}")


@bench.command("api")
@click.option(
    "--accounts",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=100),
    help="Accounts of the firm (at least the sync requests sent: samples + 20).",
)
@click.option(
    "--samples",
    default=500,
    show_default=True,
    type=click.IntRange(min=2),
    help="Timed requests of each kind, after 20 untimed ones.",
)
@postgres_url_option
@redis_url_option
@json_report_option("bench-api.json")
def bench_api(
    accounts: int, samples: int, postgres_url: str, redis_url: str, json_path: Path
) -> None:
    """The admin API's latency over one firm's accounts: pages, filtered pages, name searches
    and sync requests, one at a time against the Procfile's web process (p50, p99)."""
    from api.bench_api import format_report, run_api_latency
    from api.bench_support import bench_database, drop_namespace, new_namespace
    from core.adapters.crypto import generate_key

    configure_logging("WARNING")
    namespace = new_namespace()
    try:
        with bench_database(postgres_url) as database_url:
            report = run_api_latency(
                database_url, redis_url, namespace, generate_key(), accounts=accounts,
                samples=samples, progress=click.echo,
            )  # fmt: skip
    finally:
        drop_namespace(redis_url, namespace)
    json_path.write_text(report.to_json())
    click.echo(format_report(report))
    click.echo(f"report written to {json_path}")


@bench.command("chaos")
@click.option("--accounts", default=2_000, show_default=True, type=click.IntRange(min=20))
@click.option("--invoices", default=4_000, show_default=True, type=click.IntRange(min=1))
@click.option("--payments", default=2_000, show_default=True, type=click.IntRange(min=0))
@click.option(
    "--fault-rate", default=0.10, show_default=True, type=click.FloatRange(0, 1),
    help="Share of QBO calls answered with a fault (5xx, 429, timeout, dropped connections).",
)  # fmt: skip
@click.option(
    "--kill-every", default="10-20", show_default=True,
    help="Seconds between worker kills, drawn from this range.",
)  # fmt: skip
@click.option(
    "--redis-outage-s", default=30.0, show_default=True, type=click.FloatRange(min=0),
    help="How long Redis is stopped, once.",
)  # fmt: skip
@click.option(
    "--batch-kill/--no-batch-kill", default=True, show_default=True,
    help="SIGKILL every worker inside the first batch request's answer.",
)  # fmt: skip
@click.option("--seed", default=17, show_default=True, type=int)
@click.option(
    "--faulty-runs", default=1, show_default=True, type=click.IntRange(min=1),
    help="Faulty runs after the one fault-free run, the n-th with fault seed SEED + n - 1.",
)  # fmt: skip
@click.option(
    "--timeout-s", default=3_600.0, show_default=True, type=click.FloatRange(min=1),
    help="Give up waiting for a run to converge after this long.",
)  # fmt: skip
@postgres_url_option
@json_report_option("bench-chaos.json")
def bench_chaos(
    accounts: int, invoices: int, payments: int, fault_rate: float, kill_every: str,
    redis_outage_s: float, batch_kill: bool, seed: int, faulty_runs: int, timeout_s: float,
    postgres_url: str, json_path: Path,
) -> None:  # fmt: skip
    """Exactly-once through crashes, outages and QBO faults: the same load through the API
    without faults, then with them; duplicates, lost, stuck, mismatched and the slowdown."""
    from api.bench_chaos import run_chaos, summary_line
    from api.bench_support import write_report
    from api.chaos_faults import FaultPlan
    from api.chaos_load import Plan

    low, _, high = kill_every.partition("-")
    try:
        every = (float(low), float(high or low))
    except ValueError:
        raise click.BadParameter("seconds, or a range: 10-20", param_hint="--kill-every") from None
    configure_logging("WARNING")
    # A SIGTERM ends the bench as Ctrl-C does: its processes, Redis and database go with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    faults = FaultPlan(
        fault_rate=fault_rate, kill_every_s=every, redis_outage_s=redis_outage_s,
        kill_on_batch=batch_kill, seed=seed,
    )  # fmt: skip
    reports = run_chaos(
        postgres_url, Plan(accounts, invoices, payments), faults, timeout_s=timeout_s,
        progress=click.echo, faulty_runs=faulty_runs,
    )  # fmt: skip
    # One run's report as it always was; several under "runs".
    write_report(reports[0] if len(reports) == 1 else {"runs": reports}, json_path)
    for report in reports:
        click.echo(summary_line(report))
    click.echo(f"report written to {json_path}")
    counts = ("duplicates", "lost", "stuck", "mismatched")
    if any(r[key] for r in reports for key in counts) or any(
        r["slowdown"] is None for r in reports
    ):
        raise SystemExit(1)
