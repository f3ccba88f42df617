"""Each API key's requests are limited (QBSYNC_API_RATE_LIMIT): 429 with Retry-After over it.

The limits are "N per hour" in a moving window, so that nothing here depends on how fast the
test runs. Shared counts use the real Redis when the suite has one (tests/servers.py), else
fakeredis served over TCP, so that the apps reach it as they reach Redis.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace

import fakeredis
import pytest
from flask.testing import FlaskClient
from redis import Redis

from api.app import create_app
from core.adapters.db.tables import accounts
from core.bootstrap import Services
from core.config import Settings
from core.errors import ConfigurationError
from core.services.firms import create_firm, issue_api_key
from tests.factories import count_rows
from tests.fakes import RecordingDispatcher
from tests.servers import HAS_REDIS, REDIS_URL, drop_namespace, redis_namespace
from tests.waiting import free_port

HOUR = 3600


def app_client(
    services: Services, limit: str | None, *, redis_url: str | None = None, namespace: str = "t"
) -> FlaskClient:
    """An API app over `services` whose keys may make `limit` requests, counted in Redis at
    `redis_url` (under `namespace`) or in the app's memory."""
    settings = replace(
        services.settings, api_rate_limit=limit, redis_url=redis_url, redis_namespace=namespace
    )
    app = create_app(replace(services, settings=settings), RecordingDispatcher())
    app.testing = True
    return app.test_client()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def key(services: Services) -> str:
    _, api_key = create_firm(services.uow(), "Busy firm", services.clock())
    return api_key


@pytest.fixture
def shared_redis() -> Iterator[tuple[str, str]]:
    """A Redis URL two apps can share, and a namespace of this test's own in it."""
    namespace = redis_namespace()
    if HAS_REDIS:
        yield REDIS_URL, namespace
        drop_namespace(Redis.from_url(REDIS_URL), namespace)
        return
    server = fakeredis.TcpFakeServer(("127.0.0.1", 0))
    server.daemon_threads = True  # its clients' threads must not keep the test run alive
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    yield f"redis://127.0.0.1:{server.server_address[1]}/0", namespace
    server.shutdown()
    server.server_close()


def test_requests_under_the_limit_pass_and_the_next_gets_429_with_retry_after(
    services: Services, key: str
) -> None:
    client = app_client(services, "2 per hour")

    passed = [client.get("/v1/accounts", headers=bearer(key)).status_code for _ in range(2)]
    refused = client.get("/v1/accounts", headers=bearer(key))

    assert passed == [200, 200]
    assert refused.status_code == 429
    assert refused.json == {
        "code": 429,
        "status": "Too Many Requests",
        "message": refused.json["message"],
        "errors": {},
    }
    assert "2 per 1 hour" in refused.json["message"]
    # The window makes room an hour after the first of the two requests.
    assert HOUR - 60 < int(refused.headers["Retry-After"]) <= HOUR


def test_the_limit_counts_every_endpoint_of_the_key_together(services: Services, key: str) -> None:
    client = app_client(services, "2 per hour")

    client.get("/v1/accounts", headers=bearer(key))
    client.get("/v1/settings", headers=bearer(key))
    refused = client.put("/v1/accounts/c-1", json={"name": "A"}, headers=bearer(key))

    assert refused.status_code == 429
    assert count_rows(services, accounts) == {"accounts": 0}  # refused before anything ran


def test_another_key_of_the_same_firm_is_not_affected(services: Services) -> None:
    firm_id, first = create_firm(services.uow(), "Two keys LLP", services.clock())
    _, second = issue_api_key(services.uow(), firm_id, services.clock())
    client = app_client(services, "1 per hour")

    assert client.get("/v1/accounts", headers=bearer(first)).status_code == 200
    assert client.get("/v1/accounts", headers=bearer(first)).status_code == 429

    assert client.get("/v1/accounts", headers=bearer(second)).status_code == 200
    assert client.get("/v1/accounts", headers=bearer(first)).status_code == 429


def test_the_open_endpoints_are_not_counted_nor_limited(services: Services, key: str) -> None:
    client = app_client(services, "1 per hour")

    for _ in range(3):  # even when they carry a key
        assert client.get("/v1/health", headers=bearer(key)).status_code == 200
        assert client.get("/openapi.json", headers=bearer(key)).status_code == 200
        assert client.get("/v1/connection/callback", headers=bearer(key)).status_code == 422
        webhook = client.post("/v1/webhooks/quickbooks", data=b"{}", headers=bearer(key))
        assert webhook.status_code != 429

    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 200


def test_a_refused_key_is_not_counted_and_gets_401_not_429(services: Services, key: str) -> None:
    client = app_client(services, "1 per hour")

    for _ in range(3):
        assert client.get("/v1/accounts", headers=bearer(key + "x")).status_code == 401
    assert client.get("/v1/accounts", headers=bearer(key)).status_code == 200


def test_the_limit_holds_across_two_apps_sharing_one_redis(
    services: Services, key: str, shared_redis: tuple[str, str]
) -> None:
    url, namespace = shared_redis
    one, other = (
        app_client(services, "2 per hour", redis_url=url, namespace=namespace) for _ in range(2)
    )

    assert one.get("/v1/accounts", headers=bearer(key)).status_code == 200
    assert other.get("/v1/accounts", headers=bearer(key)).status_code == 200

    assert one.get("/v1/accounts", headers=bearer(key)).status_code == 429
    assert other.get("/v1/accounts", headers=bearer(key)).status_code == 429
    assert any(Redis.from_url(url).scan_iter(match=f"{namespace}:rate-limit:*"))


def test_with_redis_unreachable_the_api_answers_counts_in_memory_and_logs_it(
    services: Services, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = app_client(services, "2 per hour", redis_url=nowhere)

    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        answers = [client.get("/v1/accounts", headers=bearer(key)).status_code for _ in range(3)]

    assert answers == [200, 200, 429]  # this process's own count stands in meanwhile
    assert "Rate limit storage unreachable" in caplog.text


def test_the_limit_is_1200_a_minute_unless_configured_and_off_means_none() -> None:
    assert Settings.from_env({}).api_rate_limit == "1200 per minute"
    assert Settings.from_env({"QBSYNC_API_RATE_LIMIT": "50/second"}).api_rate_limit == "50/second"
    assert Settings.from_env({"QBSYNC_API_RATE_LIMIT": " Off "}).api_rate_limit is None


def test_off_lets_every_request_through(services: Services, key: str) -> None:
    client = app_client(
        services, Settings.from_env({"QBSYNC_API_RATE_LIMIT": "off"}).api_rate_limit
    )

    answers = {client.get("/v1/accounts", headers=bearer(key)).status_code for _ in range(5)}

    assert answers == {200}


def test_a_limit_that_is_not_one_stops_the_api_from_starting(services: Services) -> None:
    with pytest.raises(ConfigurationError, match="QBSYNC_API_RATE_LIMIT"):
        app_client(services, "lots per minute")
