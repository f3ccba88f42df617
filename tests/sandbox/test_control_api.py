"""The /_sandbox controls over HTTP: switches, latency, faults, throttling, clock, counters."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.state import SandboxState
from tests.sandbox.limits_helpers import T0, frozen_state
from tests.sandbox.qbo_calls import REALM_ID, QboCalls


@pytest.fixture
def state() -> SandboxState:
    return frozen_state()


@pytest.fixture
def client(state: SandboxState) -> FlaskClient:
    return create_app(state).test_client()


def test_the_options_list_every_switch_with_its_value(client: FlaskClient) -> None:
    options = client.get("/_sandbox/options").get_json()

    assert options["name_case"] == "insensitive"
    assert options["max_concurrent"] == 10
    assert options["throttle_body"] == "xml"
    assert options["fail_5xx"] == 0.0


def test_patching_options_changes_only_the_switches_named(
    client: FlaskClient, state: SandboxState
) -> None:
    answer = client.patch(
        "/_sandbox/options",
        json={"max_concurrent": 3, "coreplus_quota": 100, "name_case": "sensitive"},
    )

    assert answer.status_code == 200
    assert (state.options.max_concurrent, state.options.coreplus_quota) == (3, 100)
    assert state.options.name_case == "sensitive"
    assert state.options.per_minute == 500
    assert answer.get_json()["max_concurrent"] == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_concurrnt": 3}, "unknown switch"),
        ({"max_concurrent": "3"}, "max_concurrent takes int or null"),
        ({"throttle_body": "html"}, "throttle_body must be one of"),
        ({"fail_5xx": 0.7, "fail_429": 0.7}, "add up"),
    ],
)
def test_a_bad_switch_is_refused_and_nothing_changes(
    client: FlaskClient, state: SandboxState, change: dict[str, object], message: str
) -> None:
    answer = client.patch("/_sandbox/options", json=change)

    assert answer.status_code == 400
    assert message in answer.get_json()["error"]
    assert state.options.max_concurrent == 10
    assert state.options.fail_5xx == 0


def test_a_body_that_is_not_a_json_object_is_refused(client: FlaskClient) -> None:
    answer = client.patch("/_sandbox/options", data="[1, 2]", content_type="application/json")

    assert answer.status_code == 400
    assert answer.get_json() == {"error": "the body must be a JSON object"}


def test_latency_is_set_in_milliseconds_with_jitter(
    client: FlaskClient, state: SandboxState
) -> None:
    answer = client.put("/_sandbox/latency", json={"ms": 250, "jitter_ms": 50})

    assert answer.status_code == 200
    assert (state.options.latency_ms, state.options.jitter_ms) == (250.0, 50.0)


def test_fault_rates_are_set_by_kind_and_kinds_left_out_go_back_to_zero(
    client: FlaskClient, state: SandboxState
) -> None:
    client.put("/_sandbox/faults", json={"429": 0.5})

    client.put("/_sandbox/faults", json={"5xx": 0.05, "drop_after": 0.01})

    options = state.options
    assert (options.fail_5xx, options.drop_after, options.fail_429) == (0.05, 0.01, 0.0)


def test_an_unknown_fault_kind_is_refused(client: FlaskClient) -> None:
    answer = client.put("/_sandbox/faults", json={"502": 0.1})

    assert answer.status_code == 400
    assert "unknown fault kinds ['502']" in answer.get_json()["error"]


def test_throttling_can_be_turned_off_and_on(client: FlaskClient, state: SandboxState) -> None:
    client.put("/_sandbox/throttling", json={"on": False})
    off = state.options.throttling
    client.put("/_sandbox/throttling", json={"on": True})

    assert (off, state.options.throttling) == (False, True)


def test_turning_throttling_off_at_runtime_lets_the_11th_request_through(
    client: FlaskClient, state: SandboxState, qbo_frozen: QboCalls
) -> None:
    statuses = [qbo_frozen.query("select * from Customer").status_code for _ in range(11)]
    client.put("/_sandbox/throttling", json={"on": False})

    again = qbo_frozen.query("select * from Customer")

    assert statuses[-1] == 429
    assert again.status_code == 200


def test_the_clock_reads_the_sandbox_time(client: FlaskClient) -> None:
    answer = client.get("/_sandbox/clock").get_json()

    assert datetime.fromisoformat(answer["now"]) == T0


def test_the_clock_advances_by_seconds(client: FlaskClient, state: SandboxState) -> None:
    answer = client.post("/_sandbox/clock", json={"advance": 90})

    assert datetime.fromisoformat(answer.get_json()["now"]) == state.now()
    assert (state.now() - T0).total_seconds() == 90


def test_the_clock_is_set_to_a_moment(client: FlaskClient, state: SandboxState) -> None:
    client.post("/_sandbox/clock", json={"set": "2027-01-01T00:00:00-08:00"})

    assert state.now() == datetime.fromisoformat("2027-01-01T00:00:00-08:00")


@pytest.mark.parametrize(
    "body", [{"set": "2027-01-01T00:00:00"}, {"set": "soon"}, {"advance": "60"}, {}]
)
def test_a_bad_clock_move_is_refused(client: FlaskClient, body: dict[str, object]) -> None:
    assert client.post("/_sandbox/clock", json=body).status_code == 400


def test_advancing_the_clock_over_http_reopens_the_minute_window(
    client: FlaskClient, state: SandboxState, qbo_frozen: QboCalls
) -> None:
    state.options = dataclasses.replace(state.options, per_second=None)
    statuses = [qbo_frozen.query("select * from Customer").status_code for _ in range(501)]
    client.post("/_sandbox/clock", json={"advance": 60})

    again = qbo_frozen.query("select * from Customer")

    assert statuses[-2:] == [200, 429]
    assert again.status_code == 200


def test_counters_are_read_per_realm_and_for_all(client: FlaskClient, qbo_frozen: QboCalls) -> None:
    qbo_frozen.create_customer("Jane Doe")
    qbo_frozen.query("select * from Customer")

    one = client.get(f"/_sandbox/realms/{REALM_ID}/counters").get_json()
    every = client.get("/_sandbox/counters").get_json()

    assert (one["reads"], one["writes"], one["coreplus_this_month"]) == (1, 1, 1)
    assert every["realms"][REALM_ID]["writes"] == 1


def test_counters_are_reset_per_realm_and_for_all(
    client: FlaskClient, state: SandboxState, qbo_frozen: QboCalls
) -> None:
    qbo_frozen.create_customer("Jane Doe")
    state.throttle.counters.add("other", "reads")

    one = client.delete(f"/_sandbox/realms/{REALM_ID}/counters").get_json()
    left = dict(state.throttle.counters.all())
    client.delete("/_sandbox/counters")

    assert one["writes"] == 0
    assert list(left) == ["other"]
    assert state.throttle.counters.all() == {}


@pytest.fixture
def qbo_frozen(client: FlaskClient) -> QboCalls:
    return QboCalls(client)
