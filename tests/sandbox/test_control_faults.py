"""Fault injection over real HTTP, on both servers: what a client sees, and what got written."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.control.dropping import ConnectionDropped
from sandbox.options import SandboxOptions
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from tests.sandbox.limits_helpers import sample_text, without_time
from tests.sandbox.qbo_calls import REALM_ID, TOKEN, sample

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


@pytest.fixture(params=["werkzeug", "waitress"])
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    state = SandboxState()
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    with SandboxServer(state, server=request.param) as running:
        yield running


def inject(server: SandboxServer, **switches: Any) -> None:
    server.state.options = SandboxOptions(**switches)


def create(server: SandboxServer, name: str, timeout: float = 5) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v3/company/{REALM_ID}/customer",
        json={"DisplayName": name},
        headers=HEADERS,
        timeout=timeout,
    )


def names(server: SandboxServer) -> list[str]:
    return [customer["DisplayName"] for customer in server.state.customers(REALM_ID)]


def counter(server: SandboxServer, name: str) -> int:
    return server.state.throttle.counters.of(REALM_ID)[name]


def test_an_injected_5xx_is_qbos_system_fault_and_writes_nothing(server: SandboxServer) -> None:
    inject(server, fail_5xx=1.0)

    answer = create(server, "Jane Doe")

    assert answer.status_code == 500
    assert answer.json()["Fault"] == sample("fault_system.json")["Fault"]
    assert "intuit_tid" in answer.headers
    assert names(server) == []
    assert counter(server, "injected_5xx") == 1


def test_an_injected_system_fault_may_come_as_503(server: SandboxServer) -> None:
    inject(server, fail_5xx=1.0, fault_status=503)

    assert create(server, "Jane Doe").status_code == 503


def test_an_injected_429_is_qbos_xml_throttle_fault(server: SandboxServer) -> None:
    inject(server, fail_429=1.0)

    answer = create(server, "Jane Doe")

    assert answer.status_code == 429
    assert without_time(answer.text) == without_time(sample_text("fault_throttled.xml"))
    assert names(server) == []
    assert counter(server, "throttled") == 1


def test_an_injected_timeout_outlasts_the_clients_timeout_and_writes_nothing(
    server: SandboxServer,
) -> None:
    inject(server, fail_timeout=1.0, request_timeout=1.0)

    with pytest.raises(httpx.ReadTimeout):
        create(server, "Jane Doe", timeout=0.1)

    assert names(server) == []
    assert counter(server, "timeouts") == 1


def test_a_client_that_waits_out_an_injected_timeout_gets_the_gateways_504(
    server: SandboxServer,
) -> None:
    inject(server, fail_timeout=1.0, request_timeout=0.2)

    answer = create(server, "Jane Doe")

    assert answer.status_code == 504
    assert answer.headers["Content-Type"] == "application/xml;charset=UTF-8"
    assert '<Error code="6002">' in answer.text
    assert "message=GatewayTimeout; errorCode=006002; statusCode=504" in answer.text
    assert names(server) == []


def test_latency_delays_every_answer_by_at_least_its_milliseconds(server: SandboxServer) -> None:
    inject(server, latency_ms=150, jitter_ms=20)
    started = time.perf_counter()

    answer = create(server, "Jane Doe")

    assert answer.status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_latency_past_the_request_timeout_answers_504_without_writing(
    server: SandboxServer,
) -> None:
    inject(server, latency_ms=5000, request_timeout=0.2)

    answer = create(server, "Jane Doe")

    assert answer.status_code == 504
    assert names(server) == []


def test_a_connection_dropped_before_the_write_leaves_nothing_written(
    server: SandboxServer,
) -> None:
    inject(server, drop_before=1.0)

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        create(server, "Jane Doe")

    assert names(server) == []
    assert counter(server, "dropped") == 1


def test_a_connection_dropped_after_the_write_leaves_the_customer_created(
    server: SandboxServer,
) -> None:
    inject(server, drop_after=1.0)

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        create(server, "Jane Doe")

    assert names(server) == ["Jane Doe"]
    assert counter(server, "dropped") == 1


def test_the_server_answers_again_once_drops_are_switched_off(server: SandboxServer) -> None:
    inject(server, drop_after=1.0)
    with httpx.Client(headers=HEADERS) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post(f"{server.url}/v3/company/{REALM_ID}/customer", json={"DisplayName": "A"})
        inject(server)

        answer = client.get(f"{server.url}/v3/company/{REALM_ID}/customer/1")

    assert answer.json()["Customer"]["DisplayName"] == "A"


def test_faults_hit_only_qbos_api_and_never_the_controls(server: SandboxServer) -> None:
    inject(server, fail_5xx=1.0)

    answer = httpx.get(f"{server.url}/_sandbox/options")

    assert answer.status_code == 200
    assert answer.json()["fail_5xx"] == 1.0


def test_a_dropped_connection_in_process_raises_connection_dropped() -> None:
    state = SandboxState(SandboxOptions(drop_after=1.0))
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    client = create_app(state).test_client()

    with pytest.raises(ConnectionDropped):
        client.post(
            f"/v3/company/{REALM_ID}/customer", json={"DisplayName": "Jane"}, headers=HEADERS
        )

    assert [c["DisplayName"] for c in state.customers(REALM_ID)] == ["Jane"]


def test_the_same_seed_injects_the_same_faults() -> None:
    def statuses() -> list[int]:
        state = SandboxState(SandboxOptions(fail_5xx=0.5, fault_seed=7, throttling=False))
        state.add_realm(REALM_ID)
        state.issue_access_token(REALM_ID, TOKEN)
        client = create_app(state).test_client()
        path = f"/v3/company/{REALM_ID}/query"
        query = {"query": "select * from Customer"}
        return [
            client.get(path, query_string=query, headers=HEADERS).status_code for _ in range(30)
        ]

    first, again = statuses(), statuses()

    assert first == again
    assert set(first) == {200, 500}
