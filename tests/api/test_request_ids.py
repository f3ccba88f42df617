"""Request ids: taken from X-Request-ID when safe, made otherwise, answered back, and on
every log line of the request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from core.logs import json_handler

HEADER = "X-Request-ID"


@pytest.fixture
def logged(client: FlaskClient) -> Iterator[io.StringIO]:
    """The app gets a view that logs; every log line of the test, as the processes write them."""

    def view() -> str:
        logging.getLogger("qbsync.test").warning("inside the view")
        return "ok"

    client.application.add_url_rule("/_logs", "logs", view)
    stream, root = io.StringIO(), logging.getLogger()
    handler = json_handler(stream)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_a_callers_request_id_is_answered_and_on_its_log_lines(
    client: FlaskClient, logged: io.StringIO
) -> None:
    answer = client.get("/_logs", headers={HEADER: "5f0c1e2a-router.42"})

    assert answer.headers[HEADER] == "5f0c1e2a-router.42"
    [line] = [json.loads(line) for line in logged.getvalue().splitlines()]
    assert line["message"] == "inside the view"
    assert line["request_id"] == "5f0c1e2a-router.42"


@pytest.mark.parametrize(
    "sent", ["", "x" * 101, "two words", "id\u00e9", '{"request_id": "forged"}', "a;rm -rf"]
)
def test_a_request_id_that_is_not_short_and_safe_is_replaced(
    client: FlaskClient, sent: str
) -> None:
    answered = client.get("/v1/health", headers={HEADER: sent}).headers[HEADER]
    assert answered != sent and len(answered) == 32 and answered.isalnum()


def test_each_request_without_one_gets_its_own_even_when_nothing_matches(
    client: FlaskClient,
) -> None:
    ids = {client.get(path).headers[HEADER] for path in ("/v1/health", "/v1/health", "/nowhere")}
    assert len(ids) == 3
