"""A firm's own system receiving status events: a tiny app on loopback that records every POST."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request

from tests.http_server import serving


@dataclass(frozen=True)
class Delivery:
    """One POST as it arrived: its path, headers and raw body."""

    path: str
    headers: dict[str, str]
    body: bytes

    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = json.loads(self.body)["events"]
        return events

    def is_signed_with(self, secret: str) -> bool:
        """Check the signature as a receiver would: HMAC-SHA256 of `<timestamp>.<body>`."""
        signed = self.headers["X-Qbsync-Timestamp"].encode() + b"." + self.body
        expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["X-Qbsync-Signature"])


@dataclass
class Receiver:
    """The base URL, what arrived, and the statuses to answer next (then 200)."""

    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def event_ids(self, path: str | None = None) -> list[str]:
        return [
            event["id"]
            for delivery in list(self.deliveries)
            if path is None or delivery.path == path
            for event in delivery.events()
        ]


@contextmanager
def receiving() -> Iterator[Receiver]:
    """Serve a receiver on a free loopback port until the block ends."""
    app = Flask("receiver")
    lock = threading.Lock()
    receiver = Receiver(url="")

    @app.post("/<path:path>")
    def receive(path: str) -> tuple[str, int]:
        with lock:
            status = receiver.answers.pop(0) if receiver.answers else 200
            receiver.deliveries.append(
                Delivery(f"/{path}", dict(request.headers), request.get_data())
            )
        return ("taken" if status < 300 else "receiver is down for maintenance"), status

    with serving(app) as url:
        receiver.url = url
        yield receiver
