"""The Procfile's processes, run by honcho as on a PaaS, over PostgreSQL or SQLite and Redis.

Generated only where a Redis server runs: the worker and the web process are separate
processes, and fakeredis cannot be shared between processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from core.bootstrap import Services
from tests.conftest import TEST_ENCRYPTION_KEY, Firm, Sandbox
from tests.e2e.scenario import two_namesakes_share_one_customer
from tests.e2e.test_dev_command import ProcessOutput
from tests.servers import HAS_REDIS, REDIS_URL, drop_namespace, redis_namespace
from tests.waiting import free_port, wait_for

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not HAS_REDIS, reason="needs a Redis server: see tests/servers.py")


@pytest.fixture
def procfile_system(services: Services) -> Iterator[str]:
    namespace = redis_namespace()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": services.settings.database_url,
        "REDIS_URL": REDIS_URL,
        "QBSYNC_REDIS_NAMESPACE": namespace,
        "QBSYNC_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "QBSYNC_RELAY_INTERVAL": "1",
        "WEB_CONCURRENCY": "1",
    }
    release = subprocess.run(
        [str(BIN / "honcho"), "start", "release"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "database is at the latest revision" in release.stdout, release.stdout + release.stderr
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "honcho"), "start", "-p", str(port), "web", "worker", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = ProcessOutput(process)
    url = f"http://127.0.0.1:{port}"

    def web_is_up() -> bool:
        try:
            return httpx.get(f"{url}/v1/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None  # stop waiting if honcho died

    wait_for(web_is_up, timeout=60, what="the web process")
    assert process.poll() is None, output.text()
    yield url
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) is not None
    output.close()
    drop_namespace(Redis.from_url(REDIS_URL), namespace)


def test_the_procfile_processes_sync_accounts(
    procfile_system: str, sandbox: Sandbox, firm: Firm
) -> None:
    with httpx.Client(base_url=procfile_system, timeout=10) as http:
        customer_id = two_namesakes_share_one_customer(
            http, {"Authorization": f"Bearer {firm.api_key}"}
        )
    assert customer_id in {c["Id"] for c in sandbox.state.customers(sandbox.realm_id)}
