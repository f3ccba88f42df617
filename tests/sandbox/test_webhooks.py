"""Webhook notifications: bodies as QBO sends them, signed, ordered and retried."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, request

from sandbox.webhooks.delivery import RETRY_SCHEDULE, WebhookConfig, WebhookSender
from sandbox.webhooks.events import ChangeEvent
from sandbox.webhooks.payloads import cloudevents_body, legacy_body
from tests.http_server import serving
from tests.sandbox.qbo_calls import sample, shape

TOKEN = "verifier-token-of-the-app"
AT = datetime(2026, 11, 19, 23, 42, 10, tzinfo=UTC)
UPDATE = ChangeEvent("9341452783469105", "Customer", "58", "Update", AT)
MERGE = ChangeEvent("9341452783469105", "Customer", "62", "Merge", AT, deleted_id="61")
DELETE = ChangeEvent("9341452783469105", "Invoice", "120", "Delete", AT)


def test_the_cloudevents_body_has_the_shape_of_a_real_delivery() -> None:
    body = cloudevents_body([UPDATE, MERGE, DELETE], "test-app-source")
    assert shape(body) == shape(sample("webhook_cloudevents.json"))
    assert [e["type"] for e in body] == [
        "qbo.customer.updated.v1",
        "qbo.customer.merged.v1",
        "qbo.invoice.deleted.v1",
    ]
    assert body[1]["data"] == {"deletedId": "61"}
    assert body[0]["source"] == sample("webhook_cloudevents.json")[0]["source"]


def test_the_legacy_body_has_the_shape_of_a_real_delivery() -> None:
    body = legacy_body([UPDATE, MERGE, DELETE])
    assert shape(body) == shape(sample("webhook_notification.json"))
    assert body["eventNotifications"][0]["dataChangeEvent"]["entities"][1]["deletedId"] == "61"


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="operation"):
        ChangeEvent("1", "Customer", "1", "Frobnicate", AT)


@dataclass
class Receiver:
    """An app's webhook endpoint that fails its first `failures` deliveries."""

    failures: int = 0
    bodies: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Flask:
        app = Flask("receiver")

        @app.post("/hook")
        def hook() -> tuple[str, int]:
            with self.lock:
                self.bodies.append(request.get_data())
                self.headers.append(dict(request.headers))
                if self.failures > 0:
                    self.failures -= 1
                    return "not now", 503
            return "", 200

        return app


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    with serving(endpoint.app()) as url:
        yield endpoint, f"{url}/hook"


def sender_for(url: str, **options: Any) -> WebhookSender:
    return WebhookSender(WebhookConfig([url], TOKEN, schedule_scale=0.001, **options))


def test_a_delivery_is_signed_with_the_verifier_token_over_the_raw_body(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    sender = sender_for(url)
    sender.notify(UPDATE)
    assert sender.wait_until_delivered(timeout=10)
    sender.stop()

    body, headers = endpoint.bodies[0], endpoint.headers[0]
    expected = base64.b64encode(hmac.new(TOKEN.encode(), body, hashlib.sha256).digest()).decode()
    assert headers["Intuit-Signature"] == expected
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body)[0]["intuitentityid"] == "58"


def test_the_legacy_form_is_sent_when_switched(receiver: tuple[Receiver, str]) -> None:
    endpoint, url = receiver
    sender = sender_for(url, format="legacy")
    sender.notify(MERGE)
    assert sender.wait_until_delivered(timeout=10)
    sender.stop()
    assert "eventNotifications" in json.loads(endpoint.bodies[0])


def test_a_failed_delivery_is_retried_and_later_events_wait_behind_it(
    receiver: tuple[Receiver, str],
) -> None:
    endpoint, url = receiver
    endpoint.failures = 3
    sender = sender_for(url)
    sender.notify(UPDATE)
    sender.notify(DELETE)
    assert sender.wait_until_delivered(timeout=10)
    sender.stop()

    statuses = [a.status for a in sender.attempts(url)]
    assert statuses[:4] == [503, 503, 503, 200]
    delivered = [e["intuitentityid"] for body in endpoint.bodies[3:] for e in json.loads(body)]
    assert delivered[:2] == ["58", "120"]  # in order, after the failed POST went through
    first_three = [json.loads(b)[0]["intuitentityid"] for b in endpoint.bodies[:3]]
    assert first_three == ["58", "58", "58"]


def test_the_retry_schedule_is_intuits() -> None:
    assert RETRY_SCHEDULE == (10, 20, 30, 300, 1200, 7200, 14400, 21600)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        WebhookConfig(["http://127.0.0.1:1/hook"], TOKEN, format="xml")
