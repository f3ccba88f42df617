"""The API app over the real store, handing jobs to an in-process Dramatiq broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from api.app import create_app
from core.bootstrap import Services
from core.config import Settings
from tests.conftest import Firm
from worker.actors import declare_actors
from worker.broker import build_broker
from worker.dispatch import QUEUE, DramatiqDispatcher


@pytest.fixture
def broker() -> Iterator[object]:
    broker = build_broker(Settings(redis_url=None))
    declare_actors(broker)
    yield broker
    broker.close()


@pytest.fixture
def client(services: Services, broker: object) -> FlaskClient:
    app = create_app(services, DramatiqDispatcher(broker))  # type: ignore[arg-type]
    app.testing = True
    return app.test_client()


def auth(firm: Firm) -> dict[str, str]:
    return {"Authorization": f"Bearer {firm.api_key}"}


def queued_messages(broker: object) -> int:
    return broker.queues[QUEUE].qsize()  # type: ignore[attr-defined, no-any-return]
