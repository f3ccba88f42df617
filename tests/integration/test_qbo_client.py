"""The QBO client against the bundled sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.adapters.gate import MemoryRealmGate, RealmLimits
from core.adapters.qbo.client import HttpQboClients, QboClient
from core.domain.qbo import QboCustomer
from core.domain.records import QboConnection
from core.errors import QboAuthenticationError, QboFaultError, QboTransientError
from sandbox.seed import DEMO_ACCESS_TOKEN, INACTIVE_CUSTOMER
from tests.conftest import Sandbox
from tests.fakes import FakeQbo
from tests.waiting import free_port


def connection(base_url: str, realm_id: str) -> QboConnection:
    return QboConnection(
        firm_id=1,
        realm_id=realm_id,
        api_base_url=base_url,
        sealed_access_token="(sealed; the token is given to the client)",
        connected_at=datetime.now(UTC),
    )


@pytest.fixture
def connector() -> Iterator[HttpQboClients]:
    opened = HttpQboClients(MemoryRealmGate(RealmLimits()), timeout_seconds=5)
    yield opened
    opened.close()


@pytest.fixture
def qbo(connector: HttpQboClients, sandbox: Sandbox) -> QboClient:
    return connector(connection(sandbox.url, sandbox.realm_id), DEMO_ACCESS_TOKEN)


def test_a_display_name_with_a_quote_is_found(qbo: QboClient) -> None:
    [found] = qbo.find_customers_by_display_name("Amy's Bird Sanctuary")
    assert found.display_name == "Amy's Bird Sanctuary"
    assert found.active


def test_the_lookup_sees_inactive_customers_that_still_hold_their_name(qbo: QboClient) -> None:
    [found] = qbo.find_customers_by_display_name(INACTIVE_CUSTOMER)
    assert not found.active


def test_an_unknown_name_finds_nothing(qbo: QboClient) -> None:
    assert qbo.find_customers_by_display_name("Nobody Of That Name") == []


def test_a_created_customer_can_be_read_back(qbo: QboClient) -> None:
    created = qbo.create_customer("Zed Created", request_id="req-create-1")
    assert created.sync_token == "0"
    assert qbo.get_customer(created.id) == created
    assert qbo.get_customer("999999") is None


def test_a_repeated_request_id_creates_one_customer(qbo: QboClient, sandbox: Sandbox) -> None:
    first = qbo.create_customer("Once Only", request_id="req-once")
    again = qbo.create_customer("Once Only", request_id="req-once")
    assert again.id == first.id
    named = [
        c for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == "Once Only"
    ]
    assert len(named) == 1


def test_a_duplicate_name_is_a_permanent_fault_with_its_code(qbo: QboClient) -> None:
    with pytest.raises(QboFaultError) as raised:
        qbo.create_customer("Cool Cars", request_id="req-dup")
    assert raised.value.code == "6240"
    assert raised.value.http_status == 400
    assert raised.value.intuit_tid
    assert not raised.value.retryable


def test_a_wrong_token_asks_for_a_reconnect(connector: HttpQboClients, sandbox: Sandbox) -> None:
    qbo = connector(connection(sandbox.url, sandbox.realm_id), "expired")
    with pytest.raises(QboAuthenticationError) as raised:
        qbo.find_customers_by_display_name("Cool Cars")
    assert raised.value.http_status == 401
    assert raised.value.code == "3200"


def test_an_unreachable_qbo_is_transient(connector: HttpQboClients) -> None:
    qbo = connector(connection(f"http://127.0.0.1:{free_port()}", "1"), DEMO_ACCESS_TOKEN)
    with pytest.raises(QboTransientError):
        qbo.find_customers_by_display_name("Anyone")


def test_a_customer_created_with_a_type_carries_it(qbo: QboClient, sandbox: Sandbox) -> None:
    individual = qbo.find_customer_type_id("Individual")
    assert individual is not None
    created = qbo.create_customer(
        "Typed Person", request_id="req-typed", customer_type_id=individual
    )
    assert created.customer_type_id == individual
    assert qbo.find_customer_type_id("No Such Type") is None


def test_customers_come_page_by_page_in_id_order_with_their_email(
    qbo: QboClient, sandbox: Sandbox
) -> None:
    stored = sandbox.state.customers(sandbox.realm_id)
    active_ids = [c["Id"] for c in stored if c["Active"]]

    first = qbo.list_customers(max_results=4)
    rest = qbo.list_customers(start_position=5, max_results=4)
    past_the_end = qbo.list_customers(start_position=len(active_ids) + 1)

    assert [c.id for c in first + rest] == active_ids[:8]
    assert past_the_end == []
    assert first[0].email == stored[0]["PrimaryEmailAddr"]["Address"]


def test_inactive_customers_are_listed_only_when_asked_for(qbo: QboClient) -> None:
    default = qbo.list_customers()
    everyone = qbo.list_customers(include_inactive=True)

    assert INACTIVE_CUSTOMER not in [c.display_name for c in default]
    assert [c.display_name for c in everyone if not c.active] == [INACTIVE_CUSTOMER]
    assert len(everyone) == len(default) + 1


def test_a_page_larger_than_qbo_allows_is_refused_before_any_call(
    qbo: QboClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        qbo.list_customers(max_results=1001)
    assert sandbox.state.throttle.counters.of(sandbox.realm_id)["reads"] == 0


def test_the_fake_pages_customers_as_the_sandbox_does(qbo: QboClient, sandbox: Sandbox) -> None:
    fake = FakeQbo()
    for row in sandbox.state.customers(sandbox.realm_id):
        fake.add(row["DisplayName"], active=row["Active"])
    pages = [
        {"start_position": 3, "max_results": 4},
        {"start_position": 2, "max_results": 100, "include_inactive": True},
        {"start_position": 50},
    ]
    for page in pages:
        real = qbo.list_customers(**page)  # type: ignore[arg-type]
        assert [c.display_name for c in fake.list_customers(**page)] == [  # type: ignore[arg-type]
            c.display_name for c in real
        ], page


def test_many_names_are_looked_up_in_lists_of_at_most_a_hundred(
    qbo: QboClient, sandbox: Sandbox
) -> None:
    wanted = [f"Listed Client {n:03}" for n in range(150)]
    for name in wanted[::10]:
        sandbox.state.add_customer(sandbox.realm_id, DisplayName=name)
    reads = sandbox.state.throttle.counters
    before = reads.of(sandbox.realm_id)["reads"]

    found = qbo.find_customers_by_display_names(
        [*wanted, "Amy's Bird Sanctuary", INACTIVE_CUSTOMER]
    )

    assert sorted(c.display_name for c in found) == sorted(
        [*wanted[::10], "Amy's Bird Sanctuary", INACTIVE_CUSTOMER]
    )
    assert reads.of(sandbox.realm_id)["reads"] - before == 2  # 152 names: two reads


def test_names_held_by_vendors_and_employees_are_found(qbo: QboClient, sandbox: Sandbox) -> None:
    sandbox.state.add_vendor(sandbox.realm_id, DisplayName="Supplier Of Paper")
    sandbox.state.add_employee(sandbox.realm_id, DisplayName="Erin Employee", GivenName="Erin")
    held = qbo.display_names_held_by_others(
        ["Supplier Of Paper", "Erin Employee", "Amy's Bird Sanctuary", "Free Name"]
    )
    assert held == {"Supplier Of Paper", "Erin Employee"}


def customer_id(sandbox: Sandbox, name: str) -> str:
    customers = sandbox.state.customers(sandbox.realm_id)
    found: str = next(c["Id"] for c in customers if c["DisplayName"] == name)
    return found


def test_changed_customers_show_the_deactivated_and_stubs_of_the_merged_away(
    qbo: QboClient, sandbox: Sandbox
) -> None:
    cool_cars, jalopies = customer_id(sandbox, "Cool Cars"), customer_id(sandbox, "Jeff's Jalopies")
    sandbox.state.clock.advance(5)  # past the seeding, to the second (the client sends seconds)
    since = sandbox.state.now() - timedelta(seconds=1)  # its offset (+00:00) must arrive intact
    sandbox.state.deactivate_customer(sandbox.realm_id, cool_cars)
    sandbox.state.merge_customers(
        sandbox.realm_id, jalopies, customer_id(sandbox, "Bill's Windsurf Shop")
    )

    changes = qbo.changed_customers(since)

    inactive = [c for c in changes.changed if isinstance(c, QboCustomer) and not c.active]
    assert [c.id for c in inactive] == [cool_cars]
    assert [d.id for d in changes.deleted] == [jalopies]
    assert qbo.get_customer(jalopies) is None  # a merged-away Id no longer reads


def test_changed_customers_of_a_quiet_window_are_none(qbo: QboClient) -> None:
    changes = qbo.changed_customers(datetime.now(UTC) + timedelta(hours=1))
    assert (changes.changed, changes.deleted) == ((), ())


def test_a_window_older_than_30_days_is_a_permanent_fault(qbo: QboClient) -> None:
    with pytest.raises(QboFaultError) as raised:
        qbo.changed_customers(datetime.now(UTC) - timedelta(days=31))
    assert raised.value.code == "6000"
