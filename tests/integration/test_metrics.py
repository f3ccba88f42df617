"""GET /metrics after a short run through the real actors against the sandbox: an account
sync, an invoice push, a QBO fault and the retry that settles it; every family is there,
with the counts and labels the run made."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from dramatiq.brokers.stub import StubBroker
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from core.bootstrap import Services
from core.config import Settings
from core.logs import json_handler
from core.services.relay import relay_jobs
from tests.api.billing import an_invoice
from tests.api.conftest import auth
from tests.conftest import TEST_ENCRYPTION_KEY, Firm, Sandbox, built_services, connected_firm
from tests.workers import in_process_worker
from worker.broker import build_broker
from worker.dispatch import QUEUE, DramatiqDispatcher

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Clock:
    """The services' time, which a test moves on to make a retry due."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(database_url: str, clock: Clock) -> Iterator[Services]:
    settings = Settings(database_url=database_url, encryption_keys=(TEST_ENCRYPTION_KEY,))
    with built_services(settings, clock=clock) as built:
        yield built


@pytest.fixture
def firm(services: Services, sandbox: Sandbox) -> Firm:
    return connected_firm(services, sandbox)


@pytest.fixture
def broker() -> Iterator[StubBroker]:
    broker = build_broker(Settings(redis_url=None))
    assert isinstance(broker, StubBroker)
    yield broker
    broker.close()


@pytest.fixture
def client(services: Services, broker: StubBroker) -> FlaskClient:
    return create_app(services, DramatiqDispatcher(broker)).test_client()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every process-wide log line of the test, as the processes write them (core.logs)."""
    stream, root = io.StringIO(), logging.getLogger()
    handler, level = json_handler(stream), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def scrape(client: FlaskClient) -> Samples:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; KeyError names what is missing."""
    return samples[(name, frozenset(labels.items()))]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of `name` that have these labels (and any others)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def put(client: FlaskClient, firm: Firm, path: str, body: dict[str, object]) -> None:
    answer = client.put(path, json=body, headers=auth(firm))
    assert answer.status_code == 201, answer.json


def test_metrics_after_a_sync_a_push_a_fault_and_its_retry(
    client: FlaskClient, services: Services, broker: StubBroker, sandbox: Sandbox,
    firm: Firm, clock: Clock, log_lines: io.StringIO,
) -> None:  # fmt: skip
    put(client, firm, "/v1/accounts/c-1", {"name": "Cool Cars"})
    sync = client.post("/v1/accounts/c-1/sync", headers=auth(firm)).json
    queued = scrape(client)
    assert value(queued, "qbsync_queue_depth", kind="sync_account", state="due") == 1
    assert value(queued, "qbsync_queue_oldest_due_seconds") >= 0

    with in_process_worker(broker, services):
        broker.join(QUEUE)
        put(client, firm, "/v1/invoices/i-1", an_invoice())
        broker.join(QUEUE)
        sandbox.state.options.fail_5xx = 1.0  # QBO answers every call with SystemFault 10000
        put(client, firm, "/v1/invoices/i-2", an_invoice(number="INV-1002"))
        broker.join(QUEUE)
        sandbox.state.options.fail_5xx = 0.0
        clock.ahead = timedelta(minutes=2)  # the retry is due
        assert relay_jobs(services.uow(), DramatiqDispatcher(broker), clock()) == 1
        broker.join(QUEUE)

    samples = scrape(client)
    realm = sandbox.realm_id
    # The API's requests, by route template, and their latency.
    assert value(samples, "qbsync_http_requests_total", method="PUT",
                 route="/v1/invoices/<external_id>", status="201") == 2  # fmt: skip
    assert value(samples, "qbsync_http_requests_total", method="GET", route="/metrics",
                 status="200") >= 1  # fmt: skip
    sync_route = {"method": "POST", "route": "/v1/accounts/<external_id>/sync"}
    assert value(samples, "qbsync_http_request_duration_seconds_count", **sync_route) == 1
    assert (
        value(samples, "qbsync_http_request_duration_seconds_bucket", le="+Inf", **sync_route) == 1
    )
    # Job runs by kind and outcome, the retry, and their durations.
    assert value(samples, "qbsync_jobs_total", kind="sync_account", outcome="synced") == 1
    assert value(samples, "qbsync_jobs_total", kind="push_invoice", outcome="synced") == 2
    assert value(samples, "qbsync_jobs_total", kind="push_invoice", outcome="retry_later") == 1
    assert value(samples, "qbsync_job_retries_total", kind="push_invoice", reason="transient") == 1
    assert value(samples, "qbsync_job_duration_seconds_count", kind="push_invoice") == 3
    assert value(samples, "qbsync_job_duration_seconds_sum", kind="push_invoice") > 0
    # QBO's requests and the fault, by realm; the waits at its gate.
    assert total(samples, "qbsync_qbo_requests_total", realm=realm, operation="query") > 0
    assert total(samples, "qbsync_qbo_requests_total", realm=realm) > total(
        samples, "qbsync_qbo_requests_total", realm=realm, operation="query"
    )  # the creates went too
    assert (
        value(samples, "qbsync_qbo_faults_total", realm=realm, code="10000", kind="transient") == 1
    )
    assert total(samples, "qbsync_qbo_faults_total") == 1
    gate_waits = total(samples, "qbsync_qbo_gate_wait_seconds_count", realm=realm)
    assert gate_waits == total(samples, "qbsync_qbo_requests_total", realm=realm)
    # Records per status and the queue, from SQL: all settled.
    assert value(samples, "qbsync_records", type="account", status="synced") == 1
    assert value(samples, "qbsync_records", type="invoice", status="synced") == 2
    assert value(samples, "qbsync_records", type="payment", status="synced") == 0
    assert total(samples, "qbsync_queue_depth") == 0
    assert value(samples, "qbsync_scrape_source_up", source="shared_counters") == 1
    assert value(samples, "qbsync_scrape_source_up", source="database") == 1

    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    retried = [line for line in lines if "will retry" in line["message"]]
    assert retried and retried[0]["job_kind"] == "push_invoice"
    assert retried[0]["job_id"] and retried[0]["request_id"] is None
    assert any(line["job_id"] == sync["id"] for line in lines)
