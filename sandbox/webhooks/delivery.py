"""Delivering notifications as Intuit does: batched, signed, ordered, retried on a schedule."""

import json
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from sandbox.webhooks.events import ChangeEvent
from sandbox.webhooks.payloads import cloudevents_body, legacy_body
from sandbox.webhooks.signature import sign

# Seconds before each retry of a failed POST; the last one repeats (best-practices page).
RETRY_SCHEDULE = (10.0, 20.0, 30.0, 300.0, 1200.0, 7200.0, 14400.0, 21600.0)
ANSWER_WITHIN_SECONDS = 3.0
MAX_EVENTS_PER_POST = 100
FORMATS = ("cloudevents", "legacy")


@dataclass(frozen=True)
class Attempt:
    """One POST to a target: when, how many events, and what came back."""

    at: datetime
    events: int
    status: int | None  # None: no answer (refused, timed out)


@dataclass
class WebhookConfig:
    """Where and how to deliver: targets, verifier token, body format, schedule scaling."""

    targets: list[str]
    verifier_token: str
    format: str = "cloudevents"
    app_id: str = "qbo-sandbox-app"
    schedule_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"webhook format must be one of {FORMATS}, not {self.format!r}")


@dataclass
class _Target:
    url: str
    pending: deque[ChangeEvent] = field(default_factory=deque)
    attempts: list[Attempt] = field(default_factory=list)


class WebhookSender:
    """Queues change events per target and delivers them from one thread per target."""

    def __init__(
        self,
        config: WebhookConfig,
        post: Callable[[str, bytes, dict[str, str]], int] | None = None,
    ) -> None:
        self.config = config
        self._post = post or _http_post
        self._targets = [_Target(url) for url in config.targets]
        self._changed = threading.Condition()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._deliver, args=(t,), name="qbo-webhooks", daemon=True)
            for t in self._targets
        ]
        for thread in self._threads:
            thread.start()

    def notify(self, event: ChangeEvent) -> None:
        """Queue `event` for every target."""
        with self._changed:
            for target in self._targets:
                target.pending.append(event)
            self._changed.notify_all()

    def attempts(self, url: str) -> list[Attempt]:
        """Every POST made to `url` so far."""
        with self._changed:
            return list(next(t for t in self._targets if t.url == url).attempts)

    def wait_until_delivered(self, timeout: float) -> bool:
        """Block until every queued event was acknowledged; False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: all(not t.pending for t in self._targets), timeout=timeout
            )

    def stop(self) -> None:
        """Stop delivering; undelivered events are dropped."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def _deliver(self, target: _Target) -> None:
        failures = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stopping or bool(target.pending))
                if self._stopping:
                    return
                batch = list(target.pending)[:MAX_EVENTS_PER_POST]
            status = self._send(target.url, batch)
            with self._changed:
                target.attempts.append(Attempt(datetime.now(UTC), len(batch), status))
                if status is not None and 200 <= status < 300:
                    failures = 0
                    for _ in batch:
                        target.pending.popleft()
                    self._changed.notify_all()
                    continue
                # Later events wait behind the failed POST, as in Intuit's ordered queue.
                delay = RETRY_SCHEDULE[min(failures, len(RETRY_SCHEDULE) - 1)]
                failures += 1
                self._changed.wait_for(
                    lambda: self._stopping, timeout=delay * self.config.schedule_scale
                )

    def _send(self, url: str, batch: list[ChangeEvent]) -> int | None:
        if self.config.format == "cloudevents":
            body = json.dumps(cloudevents_body(batch, self.config.app_id)).encode()
        else:
            body = json.dumps(legacy_body(batch)).encode()
        headers = {
            "content-type": "application/json; charset=utf-8",
            "intuit-signature": sign(body, self.config.verifier_token),
            "intuit-created-time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "intuit-t-id": str(uuid.uuid4()),
            "intuit-notification-schema-version": "0.1",
            "user-agent": "intuit_notification_server/0.1",
        }
        try:
            return self._post(url, body, headers)
        except httpx.HTTPError:
            return None


def _http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    response = httpx.post(url, content=body, headers=headers, timeout=ANSWER_WITHIN_SECONDS)
    return response.status_code
