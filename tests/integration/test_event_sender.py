"""The httpx sender of status events: only 2xx is delivered, everything else is classified."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from core.adapters.event_sender import HttpStatusEventSender
from core.errors import EventDeliveryError
from tests.receiver import Receiver, receiving
from tests.waiting import free_port

BODY = b'{"events":[]}'
HEADERS = {"Content-Type": "application/json", "X-Qbsync-Signature": "sha256=00"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


def test_a_2xx_answer_is_a_delivery_of_the_body_and_headers_as_given(receiver: Receiver) -> None:
    receiver.answers = [204]

    HttpStatusEventSender().send(f"{receiver.url}/hooks", BODY, HEADERS)

    [delivery] = receiver.deliveries
    assert (delivery.path, delivery.body) == ("/hooks", BODY)
    assert delivery.headers["X-Qbsync-Signature"] == "sha256=00"
    assert delivery.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("status", [500, 404, 302])
def test_any_other_status_is_refused_with_the_status_and_the_answers_start(
    receiver: Receiver, status: int
) -> None:
    receiver.answers = [status]

    with pytest.raises(EventDeliveryError) as refused:
        HttpStatusEventSender().send(f"{receiver.url}/hooks", BODY, HEADERS)

    assert refused.value.as_record() == {
        "message": f"the receiver answered HTTP {status}",
        "http_status": status,
        "detail": "receiver is down for maintenance",
    }
    assert len(receiver.deliveries) == 1  # a redirect is not followed


def test_a_receiver_nobody_listens_on_is_refused_without_a_status() -> None:
    with pytest.raises(EventDeliveryError, match="could not be reached") as refused:
        HttpStatusEventSender().send(f"http://127.0.0.1:{free_port()}/hooks", BODY, HEADERS)
    assert refused.value.http_status is None


def test_a_receiver_that_does_not_answer_in_time_is_refused_as_a_timeout() -> None:
    def never_answers(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    sender = HttpStatusEventSender(transport=httpx.MockTransport(never_answers))

    with pytest.raises(EventDeliveryError, match=r"did not answer within 10 s \(ReadTimeout\)"):
        sender.send("https://firm.example/hooks", BODY, HEADERS)
