"""How many requests a second the bundled QBO sandbox answers, on werkzeug and on waitress.

Loopback only, a bounded number of requests, stops by itself. The sandbox runs in this process
(`SandboxServer`, throttling off, the demo company); the load comes from separate processes,
each with a few threads and one keep-alive httpx client per thread, so the client does not
share the server's interpreter lock. A batch is 30 customer creates (QBO's maximum), so its row
counts batches (`--batches`) and reports items a second as well.

    .venv/bin/python bench/sandbox_rps.py                 # 3000 requests, 100 batches per row
    .venv/bin/python bench/sandbox_rps.py --requests 500 --batches 20 --servers waitress
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

HEADERS = {"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}", "Accept": "application/json"}
QUERY = "select * from Customer where DisplayName = 'Cool Cars'"
OPERATIONS = ("query", "create", "batch")
BATCH_ITEMS = 30  # QBO's maximum; 31 is refused with 1040
MAX_ITEMS = 100_000  # per row: a bound on the run and on the company's growth


def _batch(tag: str) -> dict[str, list[dict[str, object]]]:
    """A batch of BATCH_ITEMS customer creates with names of their own."""
    return {
        "BatchItemRequest": [
            {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"Bench {tag}-{i}"}}
            for i in range(BATCH_ITEMS)
        ]
    }


def _call(client: httpx.Client, api: str, operation: str, tag: str) -> None:
    if operation == "query":
        answer = client.post(
            f"{api}/query", content=QUERY, headers={"Content-Type": "application/text"}
        )
    elif operation == "batch":
        answer = client.post(f"{api}/batch", json=_batch(tag))
    else:
        answer = client.post(f"{api}/customer", json={"DisplayName": f"Bench client {tag}"})
    if answer.status_code != 200:
        raise RuntimeError(f"{operation} answered {answer.status_code}: {answer.text[:200]}")
    if operation == "batch":
        # A batch answers 200 even when its items fail: each must hold its customer.
        items = answer.json()["BatchItemResponse"]
        if len(items) != BATCH_ITEMS or any("Customer" not in item for item in items):
            raise RuntimeError(f"batch items failed: {answer.text[:200]}")


def load(
    api: str, operation: str, requests: int, threads: int, worker: int
) -> tuple[float, float, list[float]]:
    """Send `requests` calls from `threads` threads after one untimed call per thread.

    Returns the wall-clock start and end of the timed calls and each call's seconds, so the
    process's start-up is not measured.
    """
    local = threading.local()
    clients: list[httpx.Client] = []

    def one(n: int) -> float:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(headers=HEADERS, timeout=30)
            clients.append(client)
        started = time.perf_counter()
        _call(client, api, operation, f"{worker}-{n}")
        return time.perf_counter() - started

    try:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(-threads, 0)))  # warm up: connect, first imports
            started = time.time()
            durations = list(pool.map(one, range(requests)))
            return started, time.time(), durations
    finally:
        for client in clients:
            client.close()


def measure(server: str, operation: str, requests: int, processes: int, threads: int) -> str:
    """Serve a fresh demo company on `server` and time `requests` calls of `operation`.

    A batch call is one request of BATCH_ITEMS creates; `requests` counts batches then.
    """
    state = SandboxState(SandboxOptions(throttling=False))
    seed_demo_company(state)
    with SandboxServer(state, server=server) as running:
        api = f"{running.url}/v3/company/{DEMO_REALM_ID}"
        share = requests // processes
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes) as pool:
            jobs = [(api, operation, share, threads, n) for n in range(processes)]
            parts = pool.starmap(load, jobs)
    durations = [duration for _, _, part in parts for duration in part]
    elapsed = max(end for _, end, _ in parts) - min(start for start, _, _ in parts)
    rate = len(durations) / elapsed
    items = rate * (BATCH_ITEMS if operation == "batch" else 1)
    p50, p95 = _percentile(durations, 50), _percentile(durations, 95)
    return (
        f"| {server} | {operation} | {len(durations)} | {elapsed:.2f} | {rate:.0f} | {items:.0f} "
        f"| {p50 * 1000:.1f} | {p95 * 1000:.1f} |"
    )


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    """Measure every server and operation asked for and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per query/create row (3000)")
    parser.add_argument("--batches", type=int, default=100, help="per batch row, 30 items (100)")
    parser.add_argument("--processes", type=int, default=2, help="load processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per process (4)")
    parser.add_argument("--servers", nargs="+", default=["werkzeug", "waitress"])
    parser.add_argument("--operations", nargs="+", default=list(OPERATIONS), choices=OPERATIONS)
    args = parser.parse_args(argv)
    if not 0 < args.requests <= MAX_ITEMS:
        parser.error(f"--requests must be between 1 and {MAX_ITEMS}")
    if not 0 < args.batches <= MAX_ITEMS // BATCH_ITEMS:
        parser.error(f"--batches must be between 1 and {MAX_ITEMS // BATCH_ITEMS}")
    out("| server | operation | requests | seconds | req/s | items/s | p50 ms | p95 ms |")
    out("|---|---|---|---|---|---|---|---|")
    for server in args.servers:
        for operation in args.operations:
            count = args.batches if operation == "batch" else args.requests
            out(measure(server, operation, count, args.processes, args.threads))


if __name__ == "__main__":
    main()
