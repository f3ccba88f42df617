"""Done-when 3: the scenario over the real pieces. With Redis running, the worker is the
real `dramatiq` CLI in its own process; without, an in-process worker on fakeredis."""

from __future__ import annotations

import dramatiq
import httpx

from api.app import create_app
from core.bootstrap import Services
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox
from tests.e2e.scenario import two_namesakes_share_one_customer
from tests.http_server import serving
from worker.dispatch import DramatiqDispatcher


def test_namesakes_link_to_one_customer_through_the_real_worker(
    services: Services, sandbox: Sandbox, firm: Firm, redis_worker: dramatiq.Broker
) -> None:
    app = create_app(services, DramatiqDispatcher(redis_worker))
    with serving(app) as api_url, httpx.Client(base_url=api_url, timeout=10) as http:
        customer_id = two_namesakes_share_one_customer(http, auth(firm))

    customers = sandbox.state.customers(sandbox.realm_id)
    named = [c for c in customers if c["DisplayName"] == "Brand New Client Ltd"]
    assert [c["Id"] for c in named] == [customer_id]
