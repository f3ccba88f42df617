"""An item's Id, once found or created, is not looked up again by the worker process for a
while; a fault naming a bad reference forgets the company's kept items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.adapters.gate import MemoryRealmGate, RealmLimits
from core.adapters.qbo.client import HttpQboClients, QboClient
from core.domain.qbo import QboInvoiceDraft, QboInvoiceLine
from core.domain.records import QboConnection
from core.errors import QboFaultError
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_ITEM
from tests.conftest import Sandbox


@pytest.fixture
def clients(sandbox: Sandbox) -> Iterator[tuple[QboClient, QboClient]]:
    """Two clients of the demo company from one connector, as two jobs of a worker get."""
    connector = HttpQboClients(MemoryRealmGate(RealmLimits()), timeout_seconds=5)
    connection = QboConnection(
        firm_id=1, realm_id=sandbox.realm_id, api_base_url=sandbox.url,
        sealed_access_token="(sealed)", connected_at=datetime.now(UTC),
    )  # fmt: skip
    yield connector(connection, DEMO_ACCESS_TOKEN), connector(connection, DEMO_ACCESS_TOKEN)
    connector.close()


def reads(sandbox: Sandbox) -> int:
    return sandbox.state.throttle.counters.of(sandbox.realm_id)["reads"]


def a_draft(sandbox: Sandbox, item_id: str) -> QboInvoiceDraft:
    [customer] = [c for c in sandbox.state.customers(sandbox.realm_id) if c["Active"]][:1]
    line = QboInvoiceLine(
        item_id=item_id, amount=Decimal("10.00"), quantity=Decimal(1), unit_price=Decimal("10.00")
    )
    return QboInvoiceDraft(customer_id=customer["Id"], lines=(line,))


def test_an_item_found_once_is_not_looked_up_again_by_the_next_job(
    sandbox: Sandbox, clients: tuple[QboClient, QboClient]
) -> None:
    first, second = clients
    before = reads(sandbox)

    found = first.find_item_id(DEMO_ITEM)
    assert found is not None
    assert second.find_item_id(DEMO_ITEM) == found
    created = first.create_service_item("Payroll", request_id="known-items-payroll")
    assert second.find_item_id("Payroll") == created

    assert reads(sandbox) - before == 2  # the one lookup, and the income accounts' for the create


def test_an_item_name_not_found_is_looked_up_again(
    sandbox: Sandbox, clients: tuple[QboClient, QboClient]
) -> None:
    first, _ = clients
    before = reads(sandbox)

    assert first.find_item_id("No such service") is None
    assert first.find_item_id("No such service") is None

    assert reads(sandbox) - before == 2


def test_a_write_refused_for_a_bad_reference_forgets_the_kept_items(
    sandbox: Sandbox, clients: tuple[QboClient, QboClient]
) -> None:
    first, second = clients
    kept = first.find_item_id(DEMO_ITEM)
    assert kept is not None
    row = sandbox.state.read(sandbox.realm_id, "Item", kept)
    sandbox.state.save(  # made inactive in QBO meanwhile
        sandbox.realm_id, "Item",
        {"Id": kept, "SyncToken": row["SyncToken"], "sparse": True, "Active": False}, "update",
    )  # fmt: skip

    with pytest.raises(QboFaultError) as refused:
        second.create_invoice(a_draft(sandbox, kept), request_id="known-items-inactive")
    before = reads(sandbox)

    assert refused.value.code in ("610", "2500")
    assert first.find_item_id(DEMO_ITEM) is None  # looked up again: QBO has none active
    assert reads(sandbox) - before == 1
