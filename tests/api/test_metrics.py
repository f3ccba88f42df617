"""GET /metrics: open, in Prometheus' text format, counting the API's requests by route
template; and, with the database and Redis down, still answering (as health does not)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from core.bootstrap import Services, build_services
from core.config import Settings
from tests.api.conftest import auth
from tests.conftest import TEST_ENCRYPTION_KEY, Firm
from tests.fakes import RecordingDispatcher

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: FlaskClient) -> Samples:
    answer = client.get("/metrics")  # no API key
    assert answer.status_code == 200
    assert answer.content_type == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def requests(samples: Samples, method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return samples.get(("qbsync_http_requests_total", frozenset(labels.items())), 0)


def test_requests_are_counted_by_route_template_and_status(client: FlaskClient, firm: Firm) -> None:
    for external_id in ("c-1", "c-2"):
        client.put(f"/v1/accounts/{external_id}", json={"name": "A"}, headers=auth(firm))
    client.get("/v1/accounts/c-404", headers=auth(firm))
    client.get("/no/such/path")
    client.open("/v1/health", method="BREW")

    samples = scrape(client)

    assert requests(samples, "PUT", "/v1/accounts/<external_id>", "201") == 2
    assert requests(samples, "GET", "/v1/accounts/<external_id>", "404") == 1
    assert requests(samples, "GET", "unmatched", "404") == 1  # not one series per path
    assert requests(samples, "other", "unmatched", "405") == 1  # nor per method
    latency = ("method", "PUT"), ("route", "/v1/accounts/<external_id>")
    assert samples[("qbsync_http_request_duration_seconds_count", frozenset(latency))] == 2


def test_every_family_is_described_before_anything_is_counted(client: FlaskClient) -> None:
    answer = client.get("/metrics").get_data(as_text=True)
    for family in (
        "qbsync_http_requests_total counter", "qbsync_http_request_duration_seconds histogram",
        "qbsync_jobs_total counter", "qbsync_job_retries_total counter",
        "qbsync_job_duration_seconds histogram", "qbsync_qbo_requests_total counter",
        "qbsync_qbo_faults_total counter", "qbsync_qbo_gate_wait_seconds histogram",
        "qbsync_records gauge", "qbsync_queue_depth gauge",
        "qbsync_queue_oldest_due_seconds gauge", "qbsync_scrape_source_up gauge",
    ):  # fmt: skip
        assert f"# TYPE {family}" in answer


def nothing_listens() -> int:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port: int = closed.getsockname()[1]
    return port


@pytest.fixture
def services_down() -> Iterator[Services]:
    """Services whose PostgreSQL and Redis refuse every connection."""
    port = nothing_listens()
    settings = Settings(
        database_url=f"postgresql+psycopg://qbsync@127.0.0.1:{port}/qbsync",
        redis_url=f"redis://127.0.0.1:{port}/0",
        encryption_keys=(TEST_ENCRYPTION_KEY,),
    )
    built = build_services(settings)
    yield built
    built.metrics.close()
    built.engine.dispose()


def test_metrics_answer_while_the_database_and_redis_are_down(services_down: Services) -> None:
    client = create_app(services_down, RecordingDispatcher()).test_client()

    samples = scrape(client)

    up = "qbsync_scrape_source_up"
    assert samples[(up, frozenset({("source", "shared_counters")}))] == 0
    assert samples[(up, frozenset({("source", "database")}))] == 0
    assert not any(name.startswith("qbsync_records") for name, _ in samples)


def test_health_answers_503_while_the_database_is_down(services_down: Services) -> None:
    client = create_app(services_down, RecordingDispatcher()).test_client()
    answer = client.get("/v1/health")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "database": "unavailable", "broker": "ok"}


def test_a_deployment_with_a_metrics_token_asks_for_it(services: Services) -> None:
    guarded = replace(services, settings=replace(services.settings, metrics_token="s3cret-token"))
    client = create_app(guarded, RecordingDispatcher()).test_client()

    for sent in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Bearer é"}):
        refused = client.get("/metrics", headers=sent)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="qbsync-metrics"'
        assert "qbsync_" not in refused.get_data(as_text=True)
    answered = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert answered.status_code == 200
    assert "# TYPE qbsync_jobs_total counter" in answered.get_data(as_text=True)
