"""The change journal: one entry per create, update, delete, void and merge, read by time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.journal import Change
from sandbox.state import SandboxState

REALM = "4620816365"
START = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment

    def tick(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(clock: Clock) -> SandboxState:
    state = SandboxState(now=clock)
    state.add_realm(REALM)
    return state


def entries(state: SandboxState, *entities: str) -> list[tuple[str, str, str, str | None]]:
    changes = state.changes(REALM, START, entities)
    return [(c.entity, c.entity_id, c.operation, c.deleted_id) for c in changes]


def an_invoice(state: SandboxState, customer_id: str, amount: float = 100) -> dict[str, object]:
    line = {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
    }
    return state.save(REALM, "Invoice", {"CustomerRef": {"value": customer_id}, "Line": [line]}, "")


def test_a_new_realm_journals_its_chart_of_accounts(state: SandboxState) -> None:
    assert entries(state, "Account") == [
        ("Account", "1", "Create", None),
        ("Account", "2", "Create", None),
        ("Account", "3", "Create", None),
    ]


def test_creates_updates_and_deactivations_are_journaled_in_order(state: SandboxState) -> None:
    jane = state.add_customer(REALM, DisplayName="Jane Doe")
    sparse = {"Id": jane["Id"], "SyncToken": "0", "sparse": True}
    state.save(REALM, "Customer", {**sparse, "Notes": "VIP"}, "")
    state.save(REALM, "Customer", {**sparse, "SyncToken": "1", "Active": False}, "")

    assert entries(state, "Customer") == [
        ("Customer", "1", "Create", None),
        ("Customer", "1", "Update", None),
        ("Customer", "1", "Update", None),
    ]


def test_payments_journal_the_invoices_they_change(state: SandboxState) -> None:
    state.add_item(REALM, Name="Audit", Type="Service", IncomeAccountRef={"value": "1"})
    jane = state.add_customer(REALM, DisplayName="Jane Doe")
    invoice = an_invoice(state, jane["Id"])
    link = [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]
    body = {"CustomerRef": {"value": jane["Id"]}, "TotalAmt": 100, "Line": link}
    payment = state.save(REALM, "Payment", body, "")
    state.save(REALM, "Payment", {"Id": payment["Id"], "SyncToken": "0"}, "update", ["void"])
    invoice = state.read(REALM, "Invoice", invoice["Id"])
    state.save(REALM, "Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, "void")
    state.save(REALM, "Payment", {"Id": payment["Id"], "SyncToken": "1"}, "delete")

    assert entries(state, "invoice", "PAYMENT") == [
        ("Invoice", "1", "Create", None),
        ("Payment", "2", "Create", None),
        ("Invoice", "1", "Update", None),
        ("Payment", "2", "Void", None),
        ("Invoice", "1", "Update", None),
        ("Invoice", "1", "Void", None),
        ("Payment", "2", "Delete", None),
    ]


def test_a_fault_journals_nothing(state: SandboxState) -> None:
    state.add_customer(REALM, DisplayName="Jane Doe")

    with pytest.raises(Exception, match="6240"):
        state.add_customer(REALM, DisplayName="Jane Doe")

    assert len(entries(state, "Customer")) == 1


def test_changes_are_read_from_a_time_on_and_for_the_entities_asked(
    state: SandboxState, clock: Clock
) -> None:
    state.add_customer(REALM, DisplayName="Before")
    since = clock.tick()
    state.add_customer(REALM, DisplayName="After")
    state.add_vendor(REALM, DisplayName="Supplier")

    changes = state.changes(REALM, since, ["Customer"])

    assert changes == [Change("Customer", "2", "Create", since)]


def test_an_unknown_entity_name_is_refused(state: SandboxState) -> None:
    with pytest.raises(ValueError, match="Widget"):
        state.changes(REALM, START, ["Widget"])


def test_latest_gives_the_payload_or_the_deleted_stub(state: SandboxState, clock: Clock) -> None:
    state.add_item(REALM, Name="Audit", Type="Service", IncomeAccountRef={"value": "1"})
    jane = state.add_customer(REALM, DisplayName="Jane Doe")
    invoice = an_invoice(state, jane["Id"])
    deleted_at = clock.tick()
    state.save(REALM, "Invoice", {"Id": invoice["Id"], "SyncToken": "0"}, "delete")

    assert state.latest(REALM, "Customer", jane["Id"]) == state.read(REALM, "Customer", jane["Id"])
    assert state.latest(REALM, "Invoice", invoice["Id"]) == {
        "Id": invoice["Id"],
        "status": "Deleted",
        "domain": "QBO",
        "MetaData": {"LastUpdatedTime": deleted_at.isoformat(timespec="seconds")},
    }
    assert state.latest(REALM, "Invoice", "404") is None


def test_a_merge_entry_names_the_merged_away_customer_and_only_a_merge_does() -> None:
    with pytest.raises(ValueError):
        Change("Customer", "1", "Merge", START)
    with pytest.raises(ValueError):
        Change("Customer", "1", "Update", START, deleted_id="2")
    with pytest.raises(ValueError):
        Change("Customer", "1", "Emailed", START)  # type: ignore[arg-type]
