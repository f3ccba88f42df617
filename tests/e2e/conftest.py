"""The running system for scenario tests: PostgreSQL or SQLite, Redis with the real
`dramatiq` CLI worker in its own process (or, without Redis, an in-process worker on
fakeredis), and the API served over loopback HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import dramatiq
import fakeredis
import httpx
import pytest
from dramatiq.brokers.redis import RedisBroker

from api.app import create_app
from core.bootstrap import Services
from core.config import Settings
from tests.api.conftest import auth
from tests.conftest import TEST_ENCRYPTION_KEY, Firm, empty_database
from tests.http_server import serving
from tests.servers import (
    HAS_POSTGRES,
    HAS_REDIS,
    QUICK_POLL_ENV,
    REDIS_URL,
    drop_namespace,
    redis_namespace,
)
from tests.workers import in_process_worker
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher

# Scenarios run the whole system on the real servers where they answer: PostgreSQL here, as in
# production (SQLite, where it does not); the store's own tests cover both backends.
SCENARIO_BACKEND = "postgresql" if HAS_POSTGRES else "sqlite"
WORKER = [sys.executable, "-m", "worker.run", "--threads", "2", "--shutdown-timeout", "5"]


@pytest.fixture(params=[SCENARIO_BACKEND])
def database_url(request: pytest.FixtureRequest) -> str:
    """The migrated, emptied database of the scenarios' backend."""
    return empty_database(request.getfixturevalue(f"{request.param}_database"))


@pytest.fixture
def redis_worker(services: Services) -> Iterator[dramatiq.Broker]:
    """A broker the API sends to, and a worker consuming it."""
    if HAS_REDIS:
        namespace = redis_namespace()
        broker = build_broker(Settings(redis_url=REDIS_URL, redis_namespace=namespace))
        env = {
            **os.environ,
            "DATABASE_URL": services.settings.database_url,
            "REDIS_URL": REDIS_URL,
            "QBSYNC_REDIS_NAMESPACE": namespace,
            "QBSYNC_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
            **QUICK_POLL_ENV,
        }
        process = subprocess.Popen(WORKER, env=env)
        yield broker
        process.terminate()
        assert process.wait(timeout=30) == 0
        drop_namespace(broker.client, namespace)
    else:
        broker = RedisBroker(client=fakeredis.FakeRedis())
        with in_process_worker(broker, services):
            yield broker
    broker.close()


@dataclass
class System:
    """The API of a running system, and the headers of a firm's key."""

    http: httpx.Client
    headers: dict[str, str]
    url: str


@pytest.fixture
def system(services: Services, firm: Firm, redis_worker: dramatiq.Broker) -> Iterator[System]:
    app = create_app(services, DramatiqDispatcher(redis_worker))
    with serving(app) as api_url, httpx.Client(base_url=api_url, timeout=10) as http:
        yield System(http=http, headers=auth(firm), url=api_url)
