"""Issue 15 end to end: an account synced through the running system is heard of, signed, by
the firm's own system (the API over HTTP, the real `dramatiq` worker, the scheduler's sweep)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest

from core.bootstrap import Services
from tests.conftest import Firm
from tests.e2e.conftest import System
from tests.e2e.scenario import sync
from tests.receiver import Receiver, receiving
from tests.waiting import wait_for
from worker.dispatch import DramatiqDispatcher
from worker.scheduler import deliver_status_events_once

SECRET = "the-firms-own-system-knows-this"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


def test_a_synced_account_is_heard_of_by_the_firms_own_system(
    system: System,
    services: Services,
    firm: Firm,
    redis_worker: dramatiq.Broker,
    receiver: Receiver,
) -> None:
    subscribed = system.http.put(
        "/v1/status-events",
        json={"url": f"{receiver.url}/qbsync", "secret": SECRET},
        headers=system.headers,
    )
    assert subscribed.status_code == 201
    linked = sync(system.http, system.headers, "acc-1", "Cool Cars")

    assert deliver_status_events_once(services, DramatiqDispatcher(redis_worker)) == 1

    [delivery] = wait_for(lambda: list(receiver.deliveries), what="the status events")
    assert delivery.is_signed_with(SECRET)
    events = delivery.events()
    assert [(e["record"]["previous_status"], e["record"]["status"]) for e in events] == [
        ("not_synced", "syncing"),
        ("syncing", "synced"),
    ]
    assert {e["record"]["external_id"] for e in events} == {"acc-1"}
    assert events[-1]["record"]["qbo_id"] == linked["qbo_customer_id"]
    assert all(e["id"].startswith(f"{firm.id}-") for e in events)
    last_id = int(events[-1]["id"].split("-")[1])

    def recorded() -> dict[str, Any] | None:
        shown: dict[str, Any] = system.http.get("/v1/status-events", headers=system.headers).json()
        return shown if shown["delivered_through"] == last_id else None

    shown = wait_for(recorded, what="the delivery to be recorded")
    assert (shown["attempts"], shown["last_error"]) == (0, None)
