"""QBO's limits as a client meets them: over the app, with QBO's 429 and its counters."""

from __future__ import annotations

import json

from sandbox.limits import DEFAULT_APP
from tests.sandbox.limits_helpers import (
    OTHER_TOKEN,
    calls,
    frozen_state,
    sample_text,
    without_time,
)
from tests.sandbox.qbo_calls import REALM_ID, sample

QUERY = "select * from Customer"


def test_the_501st_request_in_a_minute_gets_qbos_xml_429() -> None:
    state = frozen_state()
    qbo = calls(state)
    answers = []
    for _ in range(500):
        answers.append(qbo.query(QUERY).status_code)
        state.clock.advance(0.11)

    refused = qbo.query(QUERY)

    assert set(answers) == {200}
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/xml;charset=UTF-8"
    assert without_time(refused.get_data(as_text=True)) == without_time(
        sample_text("fault_throttled.xml")
    )
    assert "Retry-After" not in refused.headers
    assert "intuit_tid" in refused.headers


def test_the_429_is_xml_even_when_json_was_asked_for() -> None:
    state = frozen_state(per_second=1)
    qbo = calls(state)
    qbo.query(QUERY)

    refused = qbo.client.get(
        f"/v3/company/{REALM_ID}/query",
        query_string={"query": QUERY, "format": "json"},
        headers=qbo.headers,
    )

    assert refused.status_code == 429
    assert refused.get_data(as_text=True).startswith("<?xml")


def test_throttle_body_json_answers_the_json_sample() -> None:
    state = frozen_state(per_second=1, throttle_body="json")
    qbo = calls(state)
    qbo.query(QUERY)

    refused = qbo.query(QUERY)

    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/json;charset=UTF-8"
    body = refused.get_json()
    assert body["Fault"] == sample("fault_throttled.json")["Fault"]


def test_the_11th_request_in_flight_over_http_is_throttled() -> None:
    state = frozen_state(per_second=None)
    held = [state.throttle.admit(REALM_ID, "write") for _ in range(10)]
    qbo = calls(state)

    refused = qbo.post("customer", {"DisplayName": "Jane Doe"})
    held[0].release()
    admitted = qbo.post("customer", {"DisplayName": "Jane Doe"})

    assert (refused.status_code, admitted.status_code) == (429, 200)
    assert [c["DisplayName"] for c in state.customers(REALM_ID)] == ["Jane Doe"]


def test_a_request_leaves_nothing_in_flight_once_answered() -> None:
    state = frozen_state()
    qbo = calls(state)

    qbo.create_customer("Jane Doe")
    qbo.post("customer", {"DisplayName": "Jane Doe"})

    assert state.throttle.in_flight(REALM_ID) == 0


def test_the_11th_request_in_a_second_is_throttled_for_that_app_only() -> None:
    state = frozen_state()
    state.issue_access_token(REALM_ID, OTHER_TOKEN)
    state.throttle.register_app(OTHER_TOKEN, "second app")
    first, second = calls(state), calls(state, OTHER_TOKEN)

    statuses = [first.query(QUERY).status_code for _ in range(11)]
    other = second.query(QUERY)

    assert statuses == [200] * 10 + [429]
    assert other.status_code == 200


def test_requests_without_a_valid_token_are_neither_throttled_nor_counted() -> None:
    state = frozen_state(per_second=1)
    qbo = calls(state, token="not-a-token")

    statuses = {qbo.query(QUERY).status_code for _ in range(3)}

    assert statuses == {401}
    assert state.throttle.counters.of(REALM_ID)["reads"] == 0


def test_throttling_off_answers_past_the_limits() -> None:
    state = frozen_state(throttling=False)
    qbo = calls(state)

    statuses = {qbo.query(QUERY).status_code for _ in range(30)}

    assert statuses == {200}


def test_reads_and_writes_are_counted_apart() -> None:
    state = frozen_state(throttling=False)
    qbo = calls(state)
    created = qbo.create_customer("Jane Doe")
    qbo.post("customer", {"DisplayName": "Jane Doe"})
    qbo.query(QUERY)
    qbo.get(f"customer/{created['Id']}")
    qbo.client.get(
        f"/v3/company/{REALM_ID}/query", query_string={"query": QUERY}, headers=qbo.headers
    )

    counters = state.throttle.counters.of(REALM_ID)

    assert (counters["reads"], counters["writes"]) == (3, 2)


def test_a_batch_request_is_counted_with_its_items_each_metered_as_a_call() -> None:
    state = frozen_state()
    qbo = calls(state)
    items = [{"bId": str(n), "Query": QUERY} for n in range(3)]

    qbo.client.post(
        f"/v3/company/{REALM_ID}/batch",
        data=json.dumps({"BatchItemRequest": items}),
        headers={**qbo.headers, "Content-Type": "application/json"},
    )

    counters = state.throttle.counters.of(REALM_ID)
    assert (counters["batches"], counters["batch_items"]) == (1, 3)
    assert (counters["reads"], counters["writes"]) == (3, 0)  # three query items


def test_429s_are_counted() -> None:
    state = frozen_state(per_second=2)
    qbo = calls(state)

    for _ in range(5):
        qbo.query(QUERY)

    assert state.throttle.counters.of(REALM_ID)["throttled"] == 3


def test_tokens_nobody_registered_belong_to_the_default_app() -> None:
    state = frozen_state()

    assert state.throttle.app_of("whatever") == DEFAULT_APP
