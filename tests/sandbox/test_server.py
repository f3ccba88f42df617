"""The sandbox over real HTTP: SandboxServer on loopback, the demo company, and concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState

AUTH = {"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}", "Accept": "application/json"}


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    state = SandboxState()
    seed_demo_company(state)
    with SandboxServer(state) as running:
        yield running


def api(server: SandboxServer) -> str:
    return f"{server.url}/v3/company/{DEMO_REALM_ID}"


def test_the_demo_company_answers_a_query_over_loopback(server: SandboxServer) -> None:
    statement = r"select * from Customer where DisplayName = 'Amy\'s Bird Sanctuary'"

    response = httpx.post(
        f"{api(server)}/query",
        content=statement,
        params={"minorversion": "75"},
        headers={**AUTH, "Content-Type": "application/text"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert "intuit_tid" in response.headers
    [amy] = response.json()["QueryResponse"]["Customer"]
    assert amy["CompanyName"] == "Amy's Bird Sanctuary"


def test_the_demo_company_has_ten_customers_one_of_them_inactive(server: SandboxServer) -> None:
    customers = server.state.customers(DEMO_REALM_ID)
    active = httpx.get(
        f"{api(server)}/query", params={"query": "select count(*) from Customer"}, headers=AUTH
    )

    assert len(customers) == 10
    assert [c["DisplayName"] for c in customers if not c["Active"]] == ["Kookies by Kathy"]
    assert active.json()["QueryResponse"] == {"totalCount": 9}


def test_the_server_url_names_the_port_it_bound(server: SandboxServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert not server.url.endswith(":0")


def test_a_stopped_server_no_longer_answers() -> None:
    server = SandboxServer()
    server.start()
    url = server.url

    server.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_concurrent_creates_of_one_name_make_one_customer(server: SandboxServer) -> None:
    def create(_: int) -> int:
        body = {"DisplayName": "Brand New Client Ltd"}
        return httpx.post(f"{api(server)}/customer", json=body, headers=AUTH).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(create, range(8)))

    assert statuses == [200] + [400] * 7
    named = [
        c for c in server.state.customers(DEMO_REALM_ID) if c["DisplayName"].startswith("Brand")
    ]
    assert len(named) == 1


def test_concurrent_repeats_of_one_requestid_write_once(server: SandboxServer) -> None:
    def create(n: int) -> str:
        response = httpx.post(
            f"{api(server)}/customer",
            json={"DisplayName": f"Retry {n}"},
            params={"requestid": "same-request"},
            headers=AUTH,
        )
        customer_id: str = response.json()["Customer"]["Id"]
        return customer_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(create, range(8)))

    assert len(ids) == 1
    assert len(server.state.customers(DEMO_REALM_ID)) == 11
