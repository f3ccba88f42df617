"""Done-when 5: a job committed while the broker was down is sent by the relay and completes."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from api.app import create_app
from core.bootstrap import Services
from core.config import Settings
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox
from tests.waiting import free_port
from tests.workers import in_process_worker
from worker.broker import build_broker
from worker.dispatch import QUEUE, DramatiqDispatcher
from worker.scheduler import relay_once


@pytest.fixture
def working_broker(services: Services) -> Iterator[dramatiq.Broker]:
    broker = build_broker(Settings(redis_url=None))
    with in_process_worker(broker, services):
        yield broker


def test_a_job_whose_send_failed_is_relayed_and_completes(
    services: Services, sandbox: Sandbox, firm: Firm, working_broker: dramatiq.Broker
) -> None:
    # Nothing listens on this port: every send raises, as with Redis down.
    down = RedisBroker(url=f"redis://127.0.0.1:{free_port()}/0")
    client = create_app(services, DramatiqDispatcher(down)).test_client()
    client.put("/v1/accounts/a-1", json={"name": "Relayed Client"}, headers=auth(firm))

    accepted = client.post("/v1/accounts/a-1/sync", headers=auth(firm))

    assert accepted.status_code == 202  # accepted and recorded, though not yet queued
    job_id = accepted.json["id"]
    assert client.get(f"/v1/jobs/{job_id}", headers=auth(firm)).json["state"] == "queued"

    sent = relay_once(services, DramatiqDispatcher(working_broker))
    working_broker.join(QUEUE)

    assert sent == 1
    job = client.get(f"/v1/jobs/{job_id}", headers=auth(firm)).json
    assert job["state"] == "succeeded"
    account = client.get("/v1/accounts/a-1", headers=auth(firm)).json
    assert account["status"] == "synced"
    assert relay_once(services, DramatiqDispatcher(working_broker)) == 0  # nothing left over
