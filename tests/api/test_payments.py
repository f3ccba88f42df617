"""SPEC §3: payments are recorded, skipped when they are not to be synced, queued otherwise."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from tests.api.billing import (
    a_payment,
    as_in_qbo,
    put_account,
    put_invoice,
    put_payment,
    row_counts,
)
from tests.api.conftest import auth, queued_messages
from tests.conftest import Firm
from tests.factories import a_linked_account


@pytest.fixture
def invoice(client: FlaskClient, firm: Firm) -> None:
    """Invoice i-1 (total 450.00) of account c-1, neither ever synced."""
    put_account(client, firm, "c-1")
    put_invoice(client, firm, "i-1")


@pytest.fixture
def synced_invoice(client: FlaskClient, services: Services, firm: Firm) -> None:
    """Invoice i-1 (total 450.00) in QBO as invoice 130, its account linked to customer 58."""
    a_linked_account(services, firm.id, "c-1", "58")
    put_invoice(client, firm, "i-1")
    as_in_qbo(services, firm, "invoice", "i-1", "130")


def history(client: FlaskClient, firm: Firm, external_id: str) -> list[tuple[str, str, str]]:
    items = client.get(f"/v1/payments/{external_id}/history", headers=auth(firm)).json["items"]
    return [(i["from_status"], i["to_status"], i["cause"]) for i in items]


@pytest.mark.usefixtures("invoice")
def test_put_creates_then_updates_a_payment_and_its_invoice_lists_it(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    created = client.put(
        "/v1/payments/p-1", json=a_payment(method="Check", amount=100.5), headers=auth(firm)
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["external_id"], body["invoice_id"], body["amount"]) == ("p-1", "i-1", "100.50")
    assert (body["paid_on"], body["method"], body["sync"]) == ("2026-03-15", "Check", None)
    assert (body["status"], body["version"], body["qbo_id"]) == ("not_synced", 1, None)
    assert row_counts(services)["jobs"] == 0

    updated = client.put("/v1/payments/p-1", json=a_payment(amount="450"), headers=auth(firm))
    assert updated.status_code == 200
    assert (updated.json["amount"], updated.json["method"], updated.json["version"]) == (
        "450.00",
        None,
        2,
    )
    same = client.put("/v1/payments/p-1", json=a_payment(amount=450), headers=auth(firm))
    assert (same.status_code, same.json) == (200, updated.json)
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["payments"] == ["p-1"]


@pytest.mark.usefixtures("synced_invoice")
def test_a_payment_of_a_synced_invoice_is_queued(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    messages = queued_messages(broker)

    payment = put_payment(client, firm, "p-1")

    assert payment["status"] == "syncing"
    assert queued_messages(broker) == messages + 1
    changes = client.get("/v1/payments/p-1/history", headers=auth(firm)).json["items"]
    job = client.get(f"/v1/jobs/{changes[0]['job_id']}", headers=auth(firm)).json
    assert (job["kind"], job["target"]) == (
        "push_payment",
        {"type": "payment", "external_id": "p-1"},
    )


@pytest.mark.usefixtures("synced_invoice")
def test_a_payment_the_request_says_not_to_sync_is_skipped(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    before, messages = row_counts(services), queued_messages(broker)

    payment = put_payment(client, firm, "p-1", sync=False)

    assert (payment["status"], payment["sync"]) == ("skipped", False)
    assert history(client, firm, "p-1") == [
        ("not_synced", "skipped", "not synced: the request said sync=false")
    ]
    assert row_counts(services)["jobs"] == before["jobs"]
    assert queued_messages(broker) == messages


@pytest.mark.usefixtures("synced_invoice")
def test_payments_recorded_by_hand_follow_the_firms_setting_unless_the_request_says(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    off = client.patch("/v1/settings", json={"sync_manual_payments": False}, headers=auth(firm))
    assert off.status_code == 200

    assert put_payment(client, firm, "p-1")["status"] == "skipped"
    assert history(client, firm, "p-1") == [
        ("not_synced", "skipped", "not synced: the firm does not sync payments recorded by hand")
    ]
    assert put_payment(client, firm, "p-2", sync=True)["status"] == "syncing"
    # A payment that was to be synced and is now not: Skipped, and QBO keeps what it has.
    assert put_payment(client, firm, "p-2", sync=None)["status"] == "skipped"


@pytest.mark.usefixtures("invoice")
def test_a_payment_waits_for_its_invoice_and_its_explicit_sync_says_why(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    assert put_payment(client, firm, "p-1")["status"] == "not_synced"
    before = row_counts(services)

    refused = client.post("/v1/payments/p-1/sync", headers=auth(firm))

    assert refused.status_code == 409
    assert "invoice 'i-1' is not synced" in refused.json["message"]
    assert row_counts(services) == before
    assert queued_messages(broker) == 0


@pytest.mark.usefixtures("synced_invoice")
def test_unsync_skips_a_payment_and_an_explicit_sync_turns_it_back_on(
    client: FlaskClient, firm: Firm, broker: object
) -> None:
    put_payment(client, firm, "p-1", sync=False)
    messages = queued_messages(broker)

    job = client.post("/v1/payments/p-1/sync", headers=auth(firm))

    assert job.status_code == 202
    assert job.json["kind"] == "push_payment"
    assert queued_messages(broker) == messages + 1
    unsynced = client.post("/v1/payments/p-1/unsync", headers=auth(firm))
    assert (unsynced.status_code, unsynced.json["status"]) == (200, "skipped")
    assert [change[1:] for change in history(client, firm, "p-1")] == [
        ("skipped", "not synced: the request said sync=false"),
        ("syncing", "sync requested"),
        ("skipped", "sync turned off"),
    ]


BAD_PAYMENTS = [
    ({"amount": "0"}, "amount"),
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "1.001"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": 450.01}, "amount"),  # more than the invoice's total
    ({"invoice_id": "i-404"}, "invoice_id"),
    ({"paid_on": None}, "paid_on"),
    ({"method": "m" * 101}, "method"),
    ({"sync": "no"}, "sync"),
    ({"sync": 0}, "sync"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.usefixtures("invoice")
@pytest.mark.parametrize(("overrides", "field"), BAD_PAYMENTS)
def test_a_bad_payment_is_refused_with_the_field_named_and_nothing_written(
    client: FlaskClient, services: Services, firm: Firm, overrides: dict, field: str
) -> None:
    before = row_counts(services)
    answer = client.put("/v1/payments/p-1", json=a_payment(**overrides), headers=auth(firm))
    assert answer.status_code == 422, answer.json
    assert set(answer.json) == {"code", "status", "message", "errors"}
    assert field in answer.json["errors"]["json"]
    assert row_counts(services) == before


@pytest.mark.usefixtures("invoice")
def test_a_payment_of_a_deleted_invoice_is_refused(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    put_invoice(client, firm, "i-2")
    assert client.delete("/v1/invoices/i-2", headers=auth(firm)).status_code == 204
    before = row_counts(services)

    answer = client.put("/v1/payments/p-1", json=a_payment("i-2"), headers=auth(firm))

    assert answer.status_code == 422
    assert "i-2" in answer.json["errors"]["json"]["invoice_id"][0]
    assert row_counts(services) == before


@pytest.mark.usefixtures("invoice")
def test_a_payment_moves_to_another_invoice_only_until_it_reaches_qbo(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    put_invoice(client, firm, "i-2")
    put_payment(client, firm, "p-1")
    assert put_payment(client, firm, "p-1", invoice_id="i-2")["invoice_id"] == "i-2"
    as_in_qbo(services, firm, "payment", "p-1", "140")

    refused = client.put("/v1/payments/p-1", json=a_payment("i-1"), headers=auth(firm))

    assert refused.status_code == 409
    assert "against invoice 'i-2'" in refused.json["message"]


@pytest.mark.usefixtures("synced_invoice")
def test_deleting_a_payment_queues_the_delete_of_its_qbo_copy_once(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    put_payment(client, firm, "p-1")
    as_in_qbo(services, firm, "payment", "p-1", "140")
    messages = queued_messages(broker)

    assert client.delete("/v1/payments/p-1", headers=auth(firm)).status_code == 204

    assert queued_messages(broker) == messages + 1
    assert client.get("/v1/payments/p-1", headers=auth(firm)).status_code == 404
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["payments"] == []
    assert client.delete("/v1/payments/p-1", headers=auth(firm)).status_code == 404
    assert client.put("/v1/payments/p-1", json=a_payment(), headers=auth(firm)).status_code == 409
    with services.uow() as uow:
        payment = uow.payments.get(firm.id, "p-1")
        assert payment is not None and payment.deleted_at is not None
        assert (payment.status.value, payment.version) == ("syncing", 2)


@pytest.mark.usefixtures("invoice")
def test_the_list_filters_by_status_and_invoice_and_pages_and_the_summary_counts(
    client: FlaskClient, firm: Firm
) -> None:
    put_invoice(client, firm, "i-2")
    for n in range(4):
        put_payment(client, firm, f"p-{n}", amount="10.00")
    put_payment(client, firm, "p-4", invoice_id="i-2", sync=False)
    client.delete("/v1/payments/p-0", headers=auth(firm))

    def ids(query: str) -> tuple[list[str], int]:
        answer = client.get(f"/v1/payments?{query}", headers=auth(firm))
        assert answer.status_code == 200, answer.json
        return [p["external_id"] for p in answer.json["items"]], answer.json["total"]

    assert ids("page=2&page_size=2") == (["p-3", "p-4"], 4)
    assert ids("status=skipped") == (["p-4"], 1)
    assert ids("invoice_id=i-1") == (["p-1", "p-2", "p-3"], 3)
    assert ids("invoice_id=i-1&status=skipped") == ([], 0)
    for query in ["invoice_id=i-404", "status=gone", "page_size=201"]:
        assert client.get(f"/v1/payments?{query}", headers=auth(firm)).status_code == 422, query

    summary = client.get("/v1/payments/summary", headers=auth(firm)).json
    assert summary["counts"] == {
        "synced": 0,
        "not_synced": 3,
        "skipped": 1,
        "failed": 0,
        "syncing": 0,
    }
    assert summary["total"] == 4


@pytest.mark.usefixtures("synced_invoice")
def test_a_payment_whose_sync_the_firms_system_turns_on_is_queued(
    client: FlaskClient, firm: Firm, broker: object
) -> None:
    put_payment(client, firm, "p-1", sync=False)
    messages = queued_messages(broker)

    turned_on = put_payment(client, firm, "p-1", sync=True)

    assert turned_on["status"] == "syncing"
    assert queued_messages(broker) == messages + 1
    assert [change[1:] for change in history(client, firm, "p-1")][-2:] == [
        ("not_synced", "its sync was turned on"),
        ("syncing", "payment changed"),
    ]
